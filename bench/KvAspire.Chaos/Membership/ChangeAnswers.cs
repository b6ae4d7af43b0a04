using System.Net;

namespace KvAspire.Chaos.Membership;

/// <summary>
/// What an answer of the members API (docs/membership.md), through the gateway, says about a change. 200: committed.
/// Refusals write nothing: any 4xx, and 503 <c>no_quorum</c>, <c>no_primary</c>, <c>not_ready</c> or <c>overloaded</c>.
/// Any other 5xx (503 <c>timeout</c>, <c>leadership_lost</c>, 502, 504), a timeout or a broken connection leave the change
/// unknown: its entry may be in a log and commit later.
/// </summary>
public static class ChangeAnswers
{
    private static readonly HashSet<string> NothingWritten = new(StringComparer.Ordinal) { "no_quorum", "no_primary", "not_ready", "overloaded" };

    /// <summary>Refusals that a later attempt may overcome: another change or a new primary's first commit under way, a
    /// learner still catching up, too few voters answering while a fault lasts, no primary known yet.</summary>
    private static readonly HashSet<string> Later = new(StringComparer.Ordinal)
    {
        "change_in_progress", "learner_not_caught_up", "no_quorum", "no_primary", "not_ready", "overloaded", "not_primary",
    };

    /// <param name="status">The HTTP status, or null when no answer came (a timeout, a broken connection).</param>
    public static ChangeOutcome Classify(HttpStatusCode? status, string? code) => status switch
    {
        HttpStatusCode.OK => ChangeOutcome.Accepted,
        null => ChangeOutcome.Unknown,
        var s when (int)s < 500 => ChangeOutcome.Refused,
        _ => code is not null && NothingWritten.Contains(code) ? ChangeOutcome.Refused : ChangeOutcome.Unknown,
    };

    /// <summary>Whether to ask again (within the step's bound): a refusal that says the change may fit a little later.</summary>
    public static bool Retry(HttpStatusCode? status, string? code) =>
        Classify(status, code) == ChangeOutcome.Refused && code is not null && Later.Contains(code);
}
