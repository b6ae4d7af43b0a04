using KvAspire.Node.Consensus;
using KvAspire.Node.StateMachine;

namespace KvAspire.Node.Tests.StateMachine;

/// <summary>The store keeps the newest configuration it applied, so a snapshot carries the membership it was taken under.</summary>
public class MembershipInStoreTests
{
    private static readonly Membership Grown = new(["node1", "node2", "node3"], ["node4"]);

    [Fact]
    public void ConfigurationEntry_IsAppliedAsMembership_AndChangesNoKey()
    {
        var store = new KvStore();
        store.Apply(new Entry(1, 1, KvCommand.Set("k", "v"u8.ToArray(), null, 1).Encode()));

        store.Apply(new Entry(2, 1, Grown.Encode()));

        Assert.Equal(Grown, store.Membership);
        Assert.Equal(1, store.Count);
        Assert.Equal(2, store.AppliedIndex);
    }

    [Fact]
    public void Snapshot_CarriesTheMembership_ThroughItsBytes()
    {
        var store = new KvStore();
        store.Apply(new Entry(1, 1, Grown.Encode()));
        store.Apply(new Entry(2, 1, KvCommand.Set("k", "v"u8.ToArray(), null, 1).Encode()));
        var body = new MemoryStream();
        store.Capture().WriteTo(body);

        var read = StoreSnapshot.ReadFrom(new MemoryStream(body.ToArray()), body.Length, 2, store.AppliedDigest);
        var restored = new KvStore();
        restored.Restore(read);

        Assert.Equal(Grown, restored.Membership);
        Assert.Equal("v"u8.ToArray(), ((StringValue)restored.Get("k")!).Value.ToArray());
    }

    [Fact]
    public void Snapshot_WithoutAChange_IsWrittenAsBefore_SoEarlierVersionsReadIt()
    {
        var store = new KvStore();
        store.Apply(new Entry(1, 1, KvCommand.Set("k", "v"u8.ToArray(), null, 1).Encode()));
        var body = new MemoryStream();
        store.Capture().WriteTo(body);

        Assert.Equal(-2, BitConverter.ToInt64(body.ToArray(), 0));
        Assert.Null(StoreSnapshot.ReadFrom(new MemoryStream(body.ToArray()), body.Length, 1, 0).Membership);
    }

    [Fact]
    public void Snapshot_WithAMalformedConfiguration_IsInvalidData()
    {
        var body = new MemoryStream();
        var writer = new BinaryWriter(body);
        writer.Write(-4L);
        writer.Write(2);
        writer.Write(new byte[] { 0xC1, 0 });
        writer.Write(-2L);
        writer.Write(0L);

        Assert.Throws<InvalidDataException>(() => StoreSnapshot.ReadFrom(new MemoryStream(body.ToArray()), body.Length, 1, 0));
    }
}
