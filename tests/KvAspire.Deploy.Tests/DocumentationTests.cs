using System.Text;
using System.Text.RegularExpressions;

namespace KvAspire.Deploy.Tests;

/// <summary>
/// README.md is the first screen a newcomer reads: it keeps the two set-up commands (.ci/run runs the second one
/// as it is written there) and stays short, with the rest in docs/. Every relative link in it and in docs/*.md
/// reaches a file of the repository, and every anchor a heading of that file, so moving a section cannot leave a
/// dead link behind.
/// </summary>
public sealed partial class DocumentationTests
{
    private const int MaxReadmeLines = 250;

    public static TheoryData<string> Documents()
    {
        var documents = new TheoryData<string> { "README.md" };
        foreach (var file in Directory.GetFiles(Repository.PathOf("docs"), "*.md").Order(StringComparer.Ordinal))
            documents.Add("docs/" + Path.GetFileName(file));
        return documents;
    }

    [Fact]
    public void Readme_FitsOnAScreen()
    {
        var lines = File.ReadAllLines(Repository.PathOf("README.md"));

        Assert.True(lines.Length <= MaxReadmeLines, $"README.md has {lines.Length} lines; at most {MaxReadmeLines}: move the detail to docs/");
    }

    [Theory]
    [InlineData("dotnet run --project KvAspire.AppHost")]
    [InlineData("dotnet test")]
    public void Readme_HoldsTheSetUpCommand(string command)
    {
        var lines = File.ReadAllLines(Repository.PathOf("README.md"));

        // The command alone on its line, perhaps followed by a comment: not a longer command that starts the same way.
        Assert.Contains(lines, line => line == command || (line.StartsWith(command + " ", StringComparison.Ordinal)
                                       && line[(command.Length + 1)..].TrimStart().StartsWith('#')));
    }

    [Theory]
    [MemberData(nameof(Documents))]
    public void EveryRelativeLink_ReachesAFile_AndEveryAnchorAHeading(string document)
    {
        var broken = new List<string>();
        foreach (var target in RelativeLinks(File.ReadAllText(Repository.PathOf(document))))
        {
            var hash = target.IndexOf('#');
            var (path, anchor) = hash < 0 ? (target, null) : (target[..hash], target[(hash + 1)..]);
            var file = path.Length == 0
                ? Repository.PathOf(document)
                : Path.GetFullPath(Path.Combine(Path.GetDirectoryName(Repository.PathOf(document))!, Uri.UnescapeDataString(path)));
            if (!File.Exists(file) && !Directory.Exists(file))
                broken.Add($"{target}: no such file");
            else if (anchor is not null && !(file.EndsWith(".md", StringComparison.Ordinal) && HeadingAnchors(File.ReadAllText(file)).Contains(anchor)))
                broken.Add($"{target}: no heading with the anchor #{anchor}");
        }

        Assert.True(broken.Count == 0, $"{document} has links that lead nowhere:\n{string.Join('\n', broken)}");
    }

    [Fact]
    public void HeadingAnchors_AreGitHubs()
    {
        var anchors = HeadingAnchors("# KvAspire\n## The HTTP API (node and gateway)\n### Commands (a node's `...` menu)\n## Tests\n## Tests\n");

        Assert.Equal(["kvaspire", "the-http-api-node-and-gateway", "commands-a-nodes--menu", "tests", "tests-1"], anchors);
    }

    /// <summary>The targets of the document's links and images that stay in the repository: no scheme, not in code.</summary>
    private static IEnumerable<string> RelativeLinks(string markdown) =>
        Link().Matches(WithoutCode(markdown))
            .Select(match => match.Groups["target"].Value)
            .Where(target => !Scheme().IsMatch(target));

    /// <summary>The anchors GitHub gives the document's headings: the text as rendered, in lower case, without
    /// punctuation, spaces as hyphens, and <c>-1</c>, <c>-2</c>... after a repeated one.</summary>
    private static List<string> HeadingAnchors(string markdown)
    {
        var anchors = new List<string>();
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var line in WithoutFences(markdown).Split('\n'))
        {
            var heading = Heading().Match(line);
            if (!heading.Success)
                continue;
            var text = InlineLink().Replace(heading.Groups["text"].Value.Trim(), "${text}");
            var slug = new StringBuilder();
            foreach (var c in text.ToLowerInvariant())
            {
                if (char.IsLetterOrDigit(c) || c is '-' or '_')
                    slug.Append(c);
                else if (c == ' ')
                    slug.Append('-');
            }
            var anchor = slug.ToString();
            var repeats = seen.GetValueOrDefault(anchor);
            seen[anchor] = repeats + 1;
            anchors.Add(repeats == 0 ? anchor : $"{anchor}-{repeats}");
        }
        return anchors;
    }

    private static string WithoutCode(string markdown) => InlineCode().Replace(WithoutFences(markdown), " ");

    private static string WithoutFences(string markdown)
    {
        var kept = new StringBuilder();
        var inFence = false;
        foreach (var line in markdown.Split('\n'))
        {
            if (line.TrimStart().StartsWith("```", StringComparison.Ordinal))
                inFence = !inFence;
            else if (!inFence)
                kept.Append(line).Append('\n');
        }
        return kept.ToString();
    }

    [GeneratedRegex(@"!?\[[^\]]*\]\((?<target>[^)\s]+)(?:\s+""[^""]*"")?\)")]
    private static partial Regex Link();

    [GeneratedRegex(@"\[(?<text>[^\]]*)\]\([^)]*\)")]
    private static partial Regex InlineLink();

    [GeneratedRegex(@"^[a-zA-Z][a-zA-Z0-9+.-]*:")]
    private static partial Regex Scheme();

    [GeneratedRegex(@"^#{1,6}\s+(?<text>.+?)\s*#*\s*$")]
    private static partial Regex Heading();

    [GeneratedRegex(@"`+[^`\n]*`+")]
    private static partial Regex InlineCode();
}
