using KvAspire.Node.Consensus;

namespace KvAspire.Node.Tests.Simulation;

/// <summary>
/// Damage a message the way a broken peer, a bad frame or a foreign node would: every kind here is
/// one the receiving core must detect and drop (a corruption that still looks valid is a Byzantine
/// fault, which Raft does not claim to survive and the transport's checksums rule out).
/// </summary>
internal static class MessageCorruption
{
    /// <param name="receiver">The node it is delivered to: only a primary in the message's term can tell a false
    /// acknowledgement (past its log, or with a hint not below the rejected index) from a true one.</param>
    public static Message Corrupt(Message message, Random random, Raft receiver)
    {
        var checkedAgainstLog = receiver.Role == Role.Primary && receiver.Term == message.Term;
        switch (random.Next(7))
        {
            case 0:
                return Retarget(message, from: "not a member name");
            case 1:
                return Retarget(message, to: message.From);
            case 2:
                return message with { Term = long.MaxValue - random.Next(3) };
            case 3 when message is Replicate { Entries.Count: > 0 } replicate:
                var entries = replicate.Entries.ToArray();
                var at = random.Next(entries.Length);
                entries[at] = entries[at] with { Index = entries[at].Index + 1 + random.Next(5) };
                return replicate with { Entries = entries };
            case 4 when checkedAgainstLog && message is ReplicateResponse { Success: true } response:
                return response with { MatchIndex = receiver.Log.LastIndex + 1 + random.Next(1_000) };
            case 5 when checkedAgainstLog && message is ReplicateResponse { Success: false } response:
                return response with { HintIndex = response.RejectedIndex + random.Next(3) };
            case 6 when checkedAgainstLog && message is ReplicateResponse response:
                // Echoes a send tick from the primary's future: counting it would stretch its lease.
                return response with { LeaseTick = MessageCheck.MaxTermOrIndex - 1 - random.Next(3) };
            default:
                return message with { Term = -1 - random.Next(3) };
        }
    }

    private static Message Retarget(Message message, string? from = null, string? to = null) =>
        message with { From = from ?? message.From, To = to ?? message.To };
}
