namespace KvAspire.Node.Tests.StateMachine;

/// <summary>
/// Replicas stay identical only if applying an entry depends on nothing but the entry and the state: the state
/// machine's source names no clock, timer or source of chance (the primary decides those before it proposes).
/// </summary>
public sealed class StateMachinePurityTests
{
    private static readonly string[] Forbidden = ["DateTime", "TimeProvider", "Stopwatch", "Environment.TickCount", "Random", "Guid.NewGuid"];

    [Fact]
    public void TheStateMachine_ReadsNoClockAndDrawsNoChance()
    {
        var folder = Path.Combine(RepositoryRoot(), "KvAspire.Node", "StateMachine");

        var offences = Directory.GetFiles(folder, "*.cs")
            .SelectMany(file => File.ReadLines(file).Select((line, i) => (File: Path.GetFileName(file), Line: i + 1, Text: line)))
            .Where(line => !line.Text.TrimStart().StartsWith("//", StringComparison.Ordinal))
            .Where(line => Forbidden.Any(word => line.Text.Contains(word, StringComparison.Ordinal)))
            .Select(line => $"{line.File}:{line.Line}: {line.Text.Trim()}")
            .ToList();

        Assert.NotEmpty(Directory.GetFiles(folder, "*.cs"));
        Assert.Empty(offences);
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "KvAspire.sln")))
                return directory.FullName;
        }
        throw new InvalidOperationException($"KvAspire.sln not found above {AppContext.BaseDirectory}.");
    }
}
