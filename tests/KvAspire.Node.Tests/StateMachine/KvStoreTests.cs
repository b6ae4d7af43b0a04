using KvAspire.Node.Consensus;
using KvAspire.Node.StateMachine;

namespace KvAspire.Node.Tests.StateMachine;

public sealed class KvStoreTests
{
    private static Entry Set(long index, string key, string value) =>
        new(index, 1, KvCommand.Set(key, System.Text.Encoding.UTF8.GetBytes(value), null, 0).Encode());

    private static Entry Delete(long index, string key) => new(index, 1, KvCommand.Delete(key, 0).Encode());

    [Fact]
    public void Apply_SetThenDelete_ReportsWhetherTheKeyExisted()
    {
        var store = new KvStore();

        var first = store.Apply(Set(1, "a", "1"));
        var overwrite = store.Apply(Set(2, "a", "2"));
        var delete = store.Apply(Delete(3, "a"));
        var deleteAgain = store.Apply(Delete(4, "a"));

        Assert.False(first.Existed);
        Assert.True(overwrite.Existed);
        Assert.True(delete.Existed);
        Assert.False(deleteAgain.Existed);
        Assert.Null(store.Get("a"));
        Assert.Equal(4, store.AppliedIndex);
    }

    [Fact]
    public void Apply_NoOpEntry_AdvancesIndexOnly()
    {
        var store = new KvStore();

        store.Apply(new Entry(1, 1, ReadOnlyMemory<byte>.Empty));

        Assert.Equal(1, store.AppliedIndex);
        Assert.Equal(0, store.Count);
    }

    [Fact]
    public void Apply_OutOfOrder_Throws()
    {
        var store = new KvStore();

        Assert.Throws<InvalidOperationException>(() => store.Apply(Set(2, "a", "1")));
    }

    [Fact]
    public void AppliedDigest_IsEqualForEqualSequences_AndDiffersWhenATermDiffers()
    {
        var a = new KvStore();
        var b = new KvStore();
        var c = new KvStore();

        a.Apply(Set(1, "k", "v"));
        b.Apply(Set(1, "k", "v"));
        c.Apply(Set(1, "k", "v") with { Term = 2 });

        Assert.Equal(a.AppliedDigest, b.AppliedDigest);
        Assert.NotEqual(a.AppliedDigest, c.AppliedDigest);
    }
}
