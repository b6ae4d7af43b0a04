using System.Text;
using KvAspire.Node.StateMachine;

namespace KvAspire.Node.Tests.StateMachine;

public sealed class KvCommandTests
{
    [Fact]
    public void Set_RoundTrips_WithKeyValueContentTypeAndTimestamp()
    {
        var command = KvCommand.Set("user:1", Encoding.UTF8.GetBytes("{\"name\":\"Alice\"}"), "application/json", 1_234_567_890_123);

        Assert.True(KvCommand.TryDecode(command.Encode(), out var decoded));

        Assert.Equal(CommandOp.Set, decoded.Op);
        Assert.Equal("user:1", decoded.Key);
        Assert.Equal("{\"name\":\"Alice\"}", Encoding.UTF8.GetString(decoded.Value.Span));
        Assert.Equal("application/json", decoded.ContentType);
        Assert.Equal(1_234_567_890_123, decoded.TimestampMs);
    }

    [Fact]
    public void Delete_RoundTrips_WithNoValue()
    {
        Assert.True(KvCommand.TryDecode(KvCommand.Delete("session:100", 7).Encode(), out var decoded));

        Assert.Equal(CommandOp.Delete, decoded.Op);
        Assert.Equal("session:100", decoded.Key);
        Assert.True(decoded.Value.IsEmpty);
        Assert.Null(decoded.ContentType);
    }

    [Fact]
    public void TryDecode_RejectsEveryTruncation_WithoutThrowing()
    {
        var encoded = KvCommand.Set("k", new byte[] { 1, 2, 3 }, "t", 1).Encode();

        for (var length = 0; length < encoded.Length; length++)
            Assert.False(KvCommand.TryDecode(encoded.AsMemory(0, length), out _), $"accepted a {length}-byte prefix");
    }

    [Fact]
    public void TryDecode_RejectsTrailingBytes_UnknownOpAndUnknownVersion()
    {
        var encoded = KvCommand.Set("k", new byte[] { 1 }, null, 1).Encode();
        var trailing = encoded.Append((byte)0).ToArray();
        var badOp = (byte[])encoded.Clone();
        badOp[1] = 99;
        var badVersion = (byte[])encoded.Clone();
        badVersion[0] = 3;

        Assert.False(KvCommand.TryDecode(trailing, out _));
        Assert.False(KvCommand.TryDecode(badOp, out _));
        Assert.False(KvCommand.TryDecode(badVersion, out _));
    }

    [Fact]
    public void PersistedOpValues_NeverChange()
    {
        // Entries on disk and on the wire carry these numbers: append new ops, never renumber.
        Assert.Equal(1, (byte)CommandOp.Set);
        Assert.Equal(2, (byte)CommandOp.Delete);
        Assert.Equal(3, (byte)CommandOp.SetIfAbsent);
        Assert.Equal(4, (byte)CommandOp.SetIfPresent);
        Assert.Equal(5, (byte)CommandOp.SetWithOptions);
        Assert.Equal(6, (byte)CommandOp.DeleteExpired);
        Assert.Equal(7, (byte)CommandOp.Expire);
        Assert.Equal(9, (byte)CommandOp.IncrementBy);
        Assert.Equal(15, (byte)CommandOp.HashSet);
        Assert.Equal(18, (byte)CommandOp.ListPush);
        Assert.Equal(23, (byte)CommandOp.SetAdd);
        Assert.Equal(26, (byte)CommandOp.Transaction);
        Assert.Equal(27, (byte)CommandOp.Read);
        Assert.Equal(29, (byte)CommandOp.SetMany);
        Assert.Equal(30, (byte)CommandOp.Idempotent);
        Assert.Equal(25, (byte)CommandOp.SetPop);
        Assert.Equal(31, (byte)CommandOp.SetPopWithSeed);
        Assert.Equal(32, (byte)CommandOp.SortedSetAdd);
        Assert.Equal(35, (byte)CommandOp.SortedSetRemoveRange);
        Assert.Equal(32, (byte)ZAddFlags.Increment);
        Assert.Equal(2, (byte)RangeBy.Lex);
        Assert.Equal(1, (byte)ReadOp.Get);
        Assert.Equal(23, (byte)ReadOp.SCard);
        Assert.Equal(24, (byte)ReadOp.ZScore);
        Assert.Equal(30, (byte)ReadOp.ZRange);
        Assert.Equal(4, (byte)ValueKind.Set);
        Assert.Equal(5, (byte)ValueKind.ZSet);
    }

    [Fact]
    public void AnEntryInTheFormatBeforeRevisions_StillDecodes_AndSaysItHasNoRevision()
    {
        var legacy = LegacyFormat.Set("user:1", "v"u8.ToArray(), "text/plain", 42);

        Assert.True(KvCommand.TryDecode(legacy, out var decoded));

        Assert.Equal(CommandOp.Set, decoded.Op);
        Assert.Equal("user:1", decoded.Key);
        Assert.Equal("text/plain", decoded.ContentType);
        Assert.Equal(42, decoded.TimestampMs);
        Assert.False(decoded.HasRevision);
        Assert.Empty(decoded.Args);
    }

    [Fact]
    public void Arguments_RoundTrip()
    {
        var command = KvCommand.Of(CommandOp.Expire, "k", 5, CommandArgs.Long(1234), CommandArgs.Byte(2));

        Assert.True(KvCommand.TryDecode(command.Encode(), out var decoded));

        Assert.True(decoded.HasRevision);
        Assert.Equal(1234, CommandArgs.ReadLong(decoded.Args[0]));
        Assert.Equal(2, CommandArgs.ReadByte(decoded.Args[1]));
    }

    [Fact]
    public void TryDecode_RejectsAnArgumentCountLargerThanThePayload()
    {
        var encoded = KvCommand.Of(CommandOp.Persist, "k", 1).Encode();
        encoded[^4] = 200;

        Assert.False(KvCommand.TryDecode(encoded, out _));
    }
}
