using System.Net;

namespace KvAspire.Node.Tests.Durability;

/// <summary>
/// Damage to a node's data directory that a crash cannot cause stops the real process with a message naming
/// the file, and the documented recovery (wipe the data directory) brings it back.
/// </summary>
public sealed class DamagedDataTests : IDisposable
{
    private const int Keys = 120; // more than the 50 entries between snapshots NodeProcess sets
    private static readonly TimeSpan SnapshotTimeout = TimeSpan.FromSeconds(60);
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "kv-damaged-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task AnUnknownSetting_StopsTheNodeAtStart_WithOneLineNamingIt()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => NodeProcess.StartAsync(_directory,
            new Dictionary<string, string> { ["Cluster__Timing"] = "Slow" }));

        Assert.Contains($"exited with code {NodeExitCodes.BadConfiguration}", error.Message);
        Assert.Contains("'Slow' at 'Cluster:Timing'", error.Message);
        Assert.DoesNotContain("   at ", error.Message);
    }

    [Fact]
    public async Task FlippedBitInTheLog_StopsTheNode_NamingFileAndOffset_AndAWipedNodeStartsAgain()
    {
        await WriteKeysAndKillAsync();
        var segment = Directory.GetFiles(Path.Combine(_directory, "log"), "*.seg").Order().First();
        var bytes = await File.ReadAllBytesAsync(segment);
        bytes[bytes.Length / 2] ^= 0x10;
        await File.WriteAllBytesAsync(segment, bytes);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => NodeProcess.StartAsync(_directory));

        Assert.Contains($"exited with code {NodeExitCodes.DamagedData}", error.Message);
        Assert.Contains($"'{segment}' is corrupt at offset", error.Message);
        Assert.Contains("delete its data directory", error.Message);

        Directory.Delete(_directory, recursive: true);
        await using var wiped = await NodeProcess.StartAsync(_directory);
        Assert.Equal(0, (await wiped.StatusAsync()).GetProperty("keys").GetInt32());
    }

    [Fact]
    public async Task TruncatedSnapshot_StopsTheNode_NamingTheSnapshot()
    {
        await WriteKeysAndKillAsync();
        var snapshot = Directory.GetFiles(Path.Combine(_directory, "snapshots"), "*.snap").Order().Last();
        var bytes = await File.ReadAllBytesAsync(snapshot);
        await File.WriteAllBytesAsync(snapshot, bytes[..(bytes.Length / 2)]);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => NodeProcess.StartAsync(_directory));

        Assert.Contains($"exited with code {NodeExitCodes.DamagedData}", error.Message);
        Assert.Contains($"Snapshot file '{snapshot}' is corrupt", error.Message);
    }

    /// <summary>Writes <see cref="Keys"/> keys, waits for a snapshot on disk, and SIGKILLs the node.</summary>
    private async Task WriteKeysAndKillAsync()
    {
        await using var node = await NodeProcess.StartAsync(_directory);
        for (var i = 0; i < Keys; i++)
        {
            using var put = await node.Client.PutAsync($"/kv/k{i}", new StringContent($"value-{i}"));
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }
        var snapshots = Path.Combine(_directory, "snapshots");
        await ProcessCluster.WaitUntilAsync(() => Task.FromResult(Directory.Exists(snapshots) && Directory.GetFiles(snapshots, "*.snap").Length > 0),
            SnapshotTimeout, "a snapshot on disk");
        await node.KillAsync();
    }

    public void Dispose()
    {
        if (Directory.Exists(_directory))
            Directory.Delete(_directory, recursive: true);
    }
}
