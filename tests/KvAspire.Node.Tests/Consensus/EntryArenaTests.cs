using System.Runtime.InteropServices;
using KvAspire.Node.Consensus;

namespace KvAspire.Node.Tests.Consensus;

/// <summary>The log packs its entries' bytes into shared chunks; what it hands back must be the bytes it was given.</summary>
public class EntryArenaTests
{
    private static byte[] Bytes(int length, byte fill) => Enumerable.Repeat(fill, length).ToArray();

    private static byte[] ArrayOf(ReadOnlyMemory<byte> memory)
    {
        Assert.True(MemoryMarshal.TryGetArray(memory, out var segment));
        return segment.Array!;
    }

    [Fact]
    public void SmallEntries_ShareAChunk_AndKeepTheirBytes_EvenIfTheCallerReusesItsBuffer()
    {
        var arena = new EntryArena();
        var buffer = Bytes(100, 1);
        var first = arena.Keep(buffer);
        buffer.AsSpan().Fill(2);
        var second = arena.Keep(buffer);

        Assert.Equal(Bytes(100, 1), first.ToArray());
        Assert.Equal(Bytes(100, 2), second.ToArray());
        Assert.Same(ArrayOf(first), ArrayOf(second));
        Assert.True(ArrayOf(first).Length >= 85_000, "a chunk belongs in the large object heap, which the GC does not copy");
    }

    [Fact]
    public void AnEntryThatDoesNotFit_StartsANewChunk_AndLeavesTheOldOneUntouched()
    {
        var arena = new EntryArena();
        var size = EntryArena.MaxPackedBytes - 1;
        var kept = Enumerable.Range(0, EntryArena.ChunkBytes / size + 1).Select(i => arena.Keep(Bytes(size, (byte)i))).ToList();

        Assert.NotSame(ArrayOf(kept[0]), ArrayOf(kept[^1]));
        for (var i = 0; i < kept.Count; i++)
            Assert.Equal(Bytes(size, (byte)i), kept[i].ToArray());
    }

    [Fact]
    public void EmptyAndLargeEntries_AreKeptAsTheyAre()
    {
        var arena = new EntryArena();
        var large = Bytes(EntryArena.MaxPackedBytes, 7);

        Assert.True(arena.Keep(ReadOnlyMemory<byte>.Empty).IsEmpty);
        Assert.Same(large, ArrayOf(arena.Keep(large)));
    }

    [Fact]
    public void TheLog_HoldsCopies_OfWhatIsAppended_OnAPrimaryAndOnASecondary()
    {
        var log = new RaftLog(default, []);
        var proposed = Bytes(10, 1);
        log.Append(1, proposed);
        var received = Bytes(10, 2);
        Assert.True(log.TryAppend(1, 1, [new Entry(2, 1, received)], commitIndex: 0));
        proposed.AsSpan().Fill(9);
        received.AsSpan().Fill(9);

        Assert.Equal(Bytes(10, 1), log[1].Data.ToArray());
        Assert.Equal(Bytes(10, 2), log[2].Data.ToArray());
    }
}
