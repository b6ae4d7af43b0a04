using KvAspire.Node.Consensus;
using KvAspire.Node.Storage;

namespace KvAspire.Node.Tests.Storage;

public sealed class FileHardStateStoreTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "kv-hardstate-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public void Load_OnANewNode_ReturnsTheBlankState_WhichMayNotVote()
    {
        Assert.Equal(HardState.Blank, new FileHardStateStore(_directory).Load());
    }

    [Fact]
    public void Save_ThenLoadInANewInstance_ReturnsTheSavedTermAndVote()
    {
        new FileHardStateStore(_directory).Save(new HardState(5, "node2"));

        Assert.Equal(new HardState(5, "node2"), new FileHardStateStore(_directory).Load());
    }

    [Fact]
    public void Save_ReplacesTheFile_LeavingNoTemporaryBehind()
    {
        var store = new FileHardStateStore(_directory);

        store.Save(new HardState(1, "node1"));
        store.Save(new HardState(2, null));

        Assert.Equal(new HardState(2, null), store.Load());
        Assert.Equal(["hardstate.json"], Directory.GetFiles(_directory).Select(Path.GetFileName));
    }

    [Fact]
    public void JoiningStanding_SurvivesARestart()
    {
        new FileHardStateStore(_directory).Save(new HardState(3, null, Joining: true));

        Assert.Equal(new HardState(3, null, Joining: true), new FileHardStateStore(_directory).Load());
    }

    [Fact]
    public void AFileWrittenBeforeJoiningExisted_LoadsAsAVoter()
    {
        Directory.CreateDirectory(_directory);
        File.WriteAllText(Path.Combine(_directory, "hardstate.json"), "{\"Term\":7,\"VotedFor\":\"node3\"}");

        Assert.Equal(new HardState(7, "node3"), new FileHardStateStore(_directory).Load());
    }

    [Theory]
    [InlineData("{\"Term\":")]
    [InlineData("null")]
    [InlineData("{\"Term\":-3,\"VotedFor\":null}")]
    public void Load_OfACorruptFile_ThrowsNamingTheFile(string content)
    {
        Directory.CreateDirectory(_directory);
        var path = Path.Combine(_directory, "hardstate.json");
        File.WriteAllText(path, content);

        var error = Assert.Throws<CorruptHardStateException>(() => new FileHardStateStore(_directory).Load());

        Assert.Equal(path, error.File);
        Assert.Contains("delete its data directory", error.Message);
    }

    public void Dispose()
    {
        if (Directory.Exists(_directory))
            Directory.Delete(_directory, recursive: true);
    }
}
