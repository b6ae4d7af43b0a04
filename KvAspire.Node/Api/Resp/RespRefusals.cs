using KvAspire.Node.Cluster;

namespace KvAspire.Node.Api.Resp;

/// <summary>The error a RESP client gets when the command layer refuses a read or a write.</summary>
public static class RespRefusals
{
    public static string Of(ReadOutcome outcome, RespDirectory directory) => outcome switch
    {
        ReadOutcome.NotPrimary n => NotPrimary("You can't read from a secondary: only the primary serves reads.", n.Primary, n.Term, directory),
        ReadOutcome.NotReady => RespErrors.NotReady,
        ReadOutcome.Overloaded => RespErrors.Overloaded,
        _ => throw new ArgumentOutOfRangeException(nameof(outcome), outcome, "not a refusal"),
    };

    public static string Of(WriteOutcome outcome, RespDirectory directory) => outcome switch
    {
        WriteOutcome.NotPrimary n => NotPrimary("You can't write against a read only replica.", n.Primary, n.Term, directory),
        WriteOutcome.PrimaryLost => RespErrors.PrimaryLost,
        WriteOutcome.TimedOut t => RespErrors.TimedOut(t.After),
        WriteOutcome.Overloaded => RespErrors.Overloaded,
        _ => throw new ArgumentOutOfRangeException(nameof(outcome), outcome, "not a refusal"),
    };

    /// <summary>Redis' READONLY error, plus where the primary is so a person (or a script) can go there.</summary>
    private static string NotPrimary(string redisText, string? primary, long term, RespDirectory directory) => primary is null
        ? $"READONLY {redisText} No primary is known yet (election in term {term}); retry shortly."
        : $"READONLY {redisText} The primary is {directory.Describe(primary)} (term {term}).";
}
