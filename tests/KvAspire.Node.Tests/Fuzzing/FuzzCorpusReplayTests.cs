using KvAspire.Fuzz;

namespace KvAspire.Node.Tests.Fuzzing;

/// <summary>
/// Replays every input the fuzzers keep (tests/KvAspire.Fuzz/corpus: seeds, the minimised queue, and any
/// crash or hang turned regression input) through the same targets afl-fuzz ran, so a change that makes a
/// decoder throw something undocumented on an input already seen fails here, in seconds.
/// </summary>
public sealed class FuzzCorpusReplayTests
{
    private static readonly string Corpus = Path.Combine(AppContext.BaseDirectory, "FuzzCorpus");

    public static TheoryData<string> Inputs(string target)
    {
        var inputs = new TheoryData<string>();
        foreach (var file in Directory.EnumerateFiles(Path.Combine(Corpus, target), "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            inputs.Add(Path.GetRelativePath(Corpus, file));
        return inputs;
    }

    [Theory]
    [MemberData(nameof(Inputs), "resp")]
    public void RespReader_ReadsCommandsOrAProtocolError_ForEveryCorpusInput(string input) => Replay("resp", input);

    [Theory]
    [MemberData(nameof(Inputs), "peer")]
    public void PeerDecoding_MapsOrRejectsAsDocumented_ForEveryCorpusInput(string input) => Replay("peer", input);

    [Theory]
    [MemberData(nameof(Inputs), "log")]
    public void LogRecovery_RecoversOrReportsCorruption_ForEveryCorpusInput(string input) => Replay("log", input);

    [Fact]
    public void EveryTarget_HasItsSeedInputs()
    {
        foreach (var target in FuzzTargets.ByName.Keys)
            Assert.NotEmpty(Directory.GetFiles(Path.Combine(Corpus, target), "seed-*"));
    }

    private static void Replay(string target, string input) =>
        FuzzTargets.ByName[target](File.ReadAllBytes(Path.Combine(Corpus, input)));
}
