using System.Text;
using Google.Protobuf;
using KvAspire.Node.Consensus;
using KvAspire.Node.StateMachine;
using KvAspire.Node.Storage;
using KvAspire.Node.Transport;
using Microsoft.Extensions.Logging.Abstractions;
using Proto = KvAspire.Node.Transport.Protos;

namespace KvAspire.Fuzz;

/// <summary>
/// Writes the hand-made seed inputs (<c>seed-*</c>) of every target with the production writers: the RESP
/// requests a client sends, peer batches built by <see cref="MessageMapper.ToProto"/>, a snapshot saved by
/// <see cref="FileSnapshotStore"/> and segments written by <see cref="SegmentedLogStore"/>. Each seed starts
/// with its target's control byte (two for the log).
/// </summary>
public static class SeedCorpus
{
    // Control bytes: RESP bits 0-1 = limits (0 production, 1 before AUTH, 2 tiny), bits 2-7 = cut (63 = at the end).
    private const byte RespWhole = 63 << 2;
    private const byte RespCutMiddle = 32 << 2;

    public static void Write(string corpusDirectory)
    {
        Save(corpusDirectory, "resp", RespSeeds());
        Save(corpusDirectory, "peer", PeerSeeds());
        Save(corpusDirectory, "log", LogSeeds());
    }

    private static void Save(string corpusDirectory, string target, IEnumerable<(string Name, byte Control, byte[] Data)> seeds) =>
        Save(corpusDirectory, target, seeds.Select(seed => (seed.Name, new[] { seed.Control }, seed.Data)));

    private static void Save(string corpusDirectory, string target, IEnumerable<(string Name, byte[] Control, byte[] Data)> seeds)
    {
        var directory = Directory.CreateDirectory(Path.Combine(corpusDirectory, target)).FullName;
        foreach (var (name, control, data) in seeds)
            File.WriteAllBytes(Path.Combine(directory, $"seed-{name}"), [.. control, .. data]);
    }

    private static IEnumerable<(string, byte, byte[])> RespSeeds()
    {
        static byte[] Text(string s) => Encoding.ASCII.GetBytes(s);
        yield return ("ping", RespWhole, Text("*1\r\n$4\r\nPING\r\n"));
        yield return ("set", RespCutMiddle, Text("*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n"));
        yield return ("pipelined", RespCutMiddle,
            Text("*2\r\n$3\r\nGET\r\n$3\r\nkey\r\n*2\r\n$3\r\nDEL\r\n$1\r\nk\r\n*4\r\n$4\r\nSCAN\r\n$1\r\n0\r\n$5\r\nCOUNT\r\n$2\r\n10\r\n"));
        yield return ("inline", 40 << 2, Text("SET k \"a\\x41\\n b\" 'it\\'s'\r\nGET k\nPING\r\n"));
        yield return ("empty-commands", RespCutMiddle, Text("*0\r\n\r\n*-1\r\n  \r\nPING\r\n"));
        yield return ("auth-before-login", RespWhole | 1, Text("*2\r\n$4\r\nAUTH\r\n$6\r\nsecret\r\n"));
        yield return ("tiny-limits", 20 << 2 | 2, Text("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$10\r\n0123456789\r\n"));
        yield return ("incomplete", RespWhole, Text("*2\r\n$3\r\nGET\r\n$10\r\nabc"));
        yield return ("protocol-error", RespWhole, Text("*1\r\n+PING\r\n"));
        yield return ("expiry", RespWhole, Text("SET s v PX 100 GET\r\nEXPIRE s 10 XX GT\r\nPEXPIREAT s 1\r\nTTL s\r\nPERSIST s\r\n"
            + "GETEX s EXAT 1700000001\r\nSETEX t 5 v\r\nPTTL t\r\nEXPIRETIME t\r\n"));
        yield return ("counters", RespWhole, Text("INCR n\r\nINCRBY n -9223372036854775808\r\nDECRBY n 3\r\nINCRBYFLOAT n 1.5e3\r\n"
            + "APPEND n 0\r\nSTRLEN n\r\nGETSET n 1\r\nGETDEL n\r\nMSETNX a 1 b 2\r\n"));
        yield return ("collections", RespWhole, Text("HSET h f 1 g 2\r\nHINCRBY h f 5\r\nHMGET h f x\r\nHDEL h g\r\nLPUSH l a b c\r\n"
            + "LRANGE l 0 -1\r\nLREM l -1 a\r\nLSET l 0 z\r\nLTRIM l 1 -1\r\nRPOP l 2\r\nSADD s a b\r\nSMISMEMBER s a z\r\nSPOP s\r\nTYPE h\r\n"));
        yield return ("sorted-sets", RespWhole, Text("ZADD z NX CH 1 a -inf b (2 c\r\nZADD z GT INCR 2.5 a\r\nZINCRBY z 1e400 a\r\n"
            + "ZRANGE z (1 +inf BYSCORE REV LIMIT 1 -1 WITHSCORES\r\nZRANGEBYLEX z [a (c\r\nZREVRANGE z 0 -1\r\nZCOUNT z -inf (2\r\n"
            + "ZLEXCOUNT z - +\r\nZRANK z a\r\nZMSCORE z a x\r\nZPOPMIN z 2\r\nZREMRANGEBYSCORE z 1 inf\r\nZREMRANGEBYLEX z [a +\r\n"
            + "ZREMRANGEBYRANK z 0 -1\r\nZSCAN z 0 COUNT 2\r\nZPOPMAX z\r\nZREM z a\r\n"));
        yield return ("transaction", RespWhole, Text("MULTI\r\nSET k 1\r\nINCR k\r\nGET k\r\nEXEC\r\nWATCH k\r\nUNWATCH\r\n"));
    }

    private static IEnumerable<(string, byte, byte[])> PeerSeeds()
    {
        var set = KvCommand.Set("user:1", "{\"name\":\"Alice\"}"u8.ToArray(), "application/json", 1_700_000_000_000).Encode();
        var delete = KvCommand.Delete("user:1", 1_700_000_000_001).Encode();
        Message[] messages =
        [
            new Replicate("node1", "node2", 3, 10, 2, [new Entry(11, 3, set), new Entry(12, 3, delete)], 10, ReadContext: 7),
            new Replicate("node1", "node2", 3, 12, 3, [], 12),
            new RequestVote("node2", "node3", 4, 12, 3, PreVote: true),
            new RequestVoteResponse("node3", "node2", 4, Granted: true, PreVote: true),
            new ReplicateResponse("node2", "node1", 3, Success: false, MatchIndex: 0, RejectedIndex: 10, HintIndex: 8, ReadContext: 7),
            new TimeoutNow("node1", "node3", 3),
        ];
        yield return ("batch-all-kinds", 0, Batch(messages));
        yield return ("batch-append-entries", 0, Batch(messages[0]));
        yield return ("batch-heartbeat", 0, Batch(messages[1]));
        yield return ("batch-vote", 0, Batch(messages[2], messages[3]));
        var file = SnapshotFile();
        yield return ("snapshot", 1, SnapshotCall(file));
        yield return ("snapshot-file", 32 << 2 | 3, file);
    }

    private static byte[] Batch(params Message[] messages)
    {
        var batch = new Proto.PeerBatch();
        batch.Messages.AddRange(messages.Select(message => MessageMapper.ToProto(message)));
        return batch.ToByteArray();
    }

    /// <summary>An InstallSnapshot call as <see cref="PeerTarget"/> reads it: the header, then the file in two chunks.</summary>
    private static byte[] SnapshotCall(byte[] file)
    {
        using var call = new MemoryStream();
        new Proto.SnapshotChunk
        {
            Header = new Proto.SnapshotHeader { From = "node1", To = "node2", Term = 3, Index = 12, SnapshotTerm = 3, FileBytes = file.Length },
        }.WriteDelimitedTo(call);
        new Proto.SnapshotChunk { Data = ByteString.CopyFrom(file, 0, 30) }.WriteDelimitedTo(call);
        new Proto.SnapshotChunk { Data = ByteString.CopyFrom(file, 30, file.Length - 30) }.WriteDelimitedTo(call);
        return call.ToArray();
    }

    /// <summary>A small snapshot file as <see cref="FileSnapshotStore"/> saves it.</summary>
    private static byte[] SnapshotFile()
    {
        var directory = Directory.CreateTempSubdirectory("kvaspire-seed-").FullName;
        try
        {
            var saved = new FileSnapshotStore(directory).Save(12, 3, 0x1234_5678_9abc_def0, body => body.Write("a snapshot body"u8));
            return File.ReadAllBytes(saved.Path);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static IEnumerable<(string, byte[], byte[])> LogSeeds()
    {
        var segment = Segment(
            new Entry(1, 1, Array.Empty<byte>()),
            new Entry(2, 1, KvCommand.Set("k", "v"u8.ToArray(), null, 1_700_000_000_000).Encode()),
            new Entry(3, 2, KvCommand.Delete("k", 1_700_000_000_001).Encode()));
        // Control bytes: bit 0 = two segment files cut where byte 1 says (162/255 of 139 bytes: after the second
        // record), bit 1 = repair checksums.
        yield return ("three-entries", [0, 0], segment);
        yield return ("two-segments", [1, 162], segment);
        yield return ("torn-tail", [0, 0], segment[..^5]);
        yield return ("zero-filled-tail", [0, 0], [.. segment, .. new byte[600]]);
        var damaged = segment.ToArray();
        damaged[70] ^= 0xff; // inside the second record's data: only a repaired checksum gets it past the CRC
        yield return ("repaired-checksums", [2, 0], damaged);
    }

    /// <summary>The first segment file <see cref="SegmentedLogStore"/> writes for these entries.</summary>
    private static byte[] Segment(params Entry[] entries)
    {
        var directory = Directory.CreateTempSubdirectory("kvaspire-seed-").FullName;
        try
        {
            using (var store = new SegmentedLogStore(directory, 1024 * 1024, NullLogger.Instance))
            {
                store.Load();
                store.Append(entries);
                store.Flush(durable: true);
            }
            return File.ReadAllBytes(Directory.GetFiles(Path.Combine(directory, "log")).Single());
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
