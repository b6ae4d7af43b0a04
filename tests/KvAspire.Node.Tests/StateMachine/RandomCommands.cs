using KvAspire.Node.StateMachine;
using static KvAspire.Node.Tests.StateMachine.StoreEntries;

namespace KvAspire.Node.Tests.StateMachine;

/// <summary>
/// Every kind of write on a few keys, stamped <paramref name="nowMs"/> with deadlines just around it, so some keys
/// expire between entries: what a replica must apply identically. Collections are bounded small, so states stay small.
/// </summary>
internal static class RandomCommands
{
    private const int MaxElements = 16;

    private static readonly ZAddFlags[] AddFlags =
        [ZAddFlags.None, ZAddFlags.IfAbsent, ZAddFlags.IfPresent | ZAddFlags.Changed, ZAddFlags.IfGreater, ZAddFlags.Increment];

    private static readonly double[] Scores = [-1, 0, 1, 1.5, 3, double.PositiveInfinity, double.NegativeInfinity];

    /// <remarks>One write in 13 is sent with one of a few idempotency keys, whose requests differ by one of two
    /// fingerprints: repeated, refused and forgotten (windows just around <paramref name="nowMs"/>) all happen.</remarks>
    public static KvCommand Next(Random random, long nowMs, long salt) =>
        random.Next(13) == 0
            ? Idempotency.Create("i" + random.Next(4), (ulong)random.Next(2), nowMs + random.Next(1, 40), Write(random, nowMs, salt))
            : Write(random, nowMs, salt);

    private static KvCommand Write(Random random, long nowMs, long salt)
    {
        var key = "k" + random.Next(6);
        return random.Next(17) switch
        {
            0 => KvCommand.Set(key, BitConverter.GetBytes(salt), null, nowMs),
            1 => new KvCommand(CommandOp.SetWithOptions, key, "v"u8.ToArray(), null, nowMs)
            {
                Args = [CommandArgs.Long(nowMs + random.Next(1, 50)), CommandArgs.Byte((byte)random.Next(3))],
            },
            2 => Op(CommandOp.IncrementBy, key, nowMs, (long)random.Next(-5, 5)),
            3 => Op(CommandOp.HashSet, key, nowMs, MaxElements, (byte)0, "f" + random.Next(3), "v"),
            4 => Op(CommandOp.ListPush, key, nowMs, MaxElements, (byte)random.Next(2), "e" + salt),
            5 => Op(CommandOp.ListPop, key, nowMs, (byte)random.Next(2), (long)random.Next(-1, 3)),
            6 => Op(CommandOp.SetAdd, key, nowMs, MaxElements, "m" + random.Next(5)),
            7 => Op(CommandOp.Expire, key, nowMs, nowMs + random.Next(-5, 40), (byte)0),
            8 => Op(CommandOp.DeleteExpired, "", nowMs, key),
            9 => Op(CommandOp.Persist, key, nowMs),
            10 => Transaction.Create([KeyValuePair.Create(key, (long)random.Next(-1, (int)Math.Min(salt, 1000)))],
                [Op(CommandOp.IncrementBy, key, nowMs, 1L), Op(CommandOp.Read, key, nowMs, (byte)ReadOp.Get)], nowMs),
            // A pop the primary chose from an older view: the member may be gone, and the replacement is drawn from the seed.
            11 => SetOps.PopEntry(key, random.Next(2) == 0 ? null : 2, [Arg("m" + random.Next(5))], random.NextInt64(), nowMs),
            // Sorted sets: scores include infinities, so an INCR can reach NaN and be refused on every node alike.
            12 => Op(CommandOp.SortedSetAdd, key, nowMs, MaxElements, (byte)AddFlags[random.Next(AddFlags.Length)],
                CommandArgs.Double(Scores[random.Next(Scores.Length)]), "z" + random.Next(5)),
            13 => Op(CommandOp.SortedSetRemove, key, nowMs, "z" + random.Next(5), "z" + random.Next(5)),
            14 => Op(CommandOp.SortedSetPop, key, nowMs, (byte)random.Next(2), (long)random.Next(-1, 3)),
            15 => KvCommand.Of(CommandOp.SortedSetRemoveRange, key, nowMs, new SortedSetRange(RangeBy.Score,
                new ScoreBound(random.Next(-2, 2), random.Next(2) == 0).Encode(), new ScoreBound(random.Next(0, 4), false).Encode()).ToArgs()),
            _ => KvCommand.Delete(key, nowMs),
        };
    }
}
