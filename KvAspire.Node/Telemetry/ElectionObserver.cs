using System.Diagnostics;
using KvAspire.Node.Consensus;

namespace KvAspire.Node.Telemetry;

/// <summary>
/// Turns the role changes the host loop sees into the election telemetry: an <c>election</c> span on
/// the candidate (term, votes received, outcome), <c>request_vote</c> spans on each voter,
/// <c>kv.elections</c> by outcome, <c>kv.failover.duration</c> on a new primary, and logs. The candidate's
/// vote requests (pre-vote too) carry its election span (<see cref="Trace"/>), so each voter's <c>request_vote</c>
/// span sits under it: one trace per election. Host loop only.
/// </summary>
public sealed class ElectionObserver(string node, NodeMetrics metrics, ILogger logger, TimeProvider time)
{
    private Activity? _election;
    /// <summary>The term the election under way is for: one more than the term a pre-vote round starts in.</summary>
    private long _electionTerm;
    private readonly HashSet<string> _votes = [];
    private long? _lastHeardFromPrimary;
    /// <summary>As a voter: each candidate's latest vote request not yet answered, with the trace it carried and when it arrived.</summary>
    private readonly Dictionary<string, (ActivityContext Trace, DateTimeOffset Arrived)> _asked = [];

    /// <summary>The span a message this node sends travels under: its election span, on a vote request.</summary>
    public ActivityContext Trace(Message message) =>
        message is RequestVote && _election is { } election ? election.Context : default;

    /// <summary>A message reached the core; it had arrived at <paramref name="arrived"/> (<see cref="TimeProvider.GetTimestamp"/>),
    /// and <paramref name="trace"/> is the span it travelled under, if any.</summary>
    public void Delivered(Message message, long arrived, ActivityContext trace = default)
    {
        switch (message)
        {
            case Replicate:
                // A failover is timed from the last word of the old primary as it arrived, not from when a busy loop read it.
                _lastHeardFromPrimary = arrived;
                break;
            case RequestVoteResponse { Granted: true, PreVote: false } vote:
                _votes.Add(vote.From);
                break;
            case RequestVote request:
                // Keyed by the sender, which the gate checked is a member: at most one entry per peer.
                _asked[request.From] = (trace, time.GetUtcNow());
                break;
        }
    }

    /// <summary>The messages a Ready sent: each answer to a vote request (pre-vote too) becomes a <c>request_vote</c>
    /// span, from the request's arrival to the answer, under the candidate's election span when the request carried it.</summary>
    public void Sent(IReadOnlyList<Message> messages)
    {
        for (var i = 0; i < messages.Count; i++)
        {
            if (messages[i] is not RequestVoteResponse answer)
                continue;
            _asked.Remove(answer.To, out var asked);
            using var span = KvTelemetry.StartDetached(KvTelemetry.Spans.RequestVote, ActivityKind.Server, asked.Trace);
            if (span is null)
                continue;
            if (asked.Arrived != default)
                span.SetStartTime(asked.Arrived.UtcDateTime);
            span.SetTag(KvTelemetry.NodeTag, node);
            span.SetTag("kv.candidate", answer.To);
            span.SetTag("kv.term", answer.Term);
            span.SetTag("kv.pre_vote", answer.PreVote);
            span.SetTag("kv.vote_granted", answer.Granted);
        }
    }

    public void RoleChanged(SoftState before, SoftState after)
    {
        var wasCampaigning = before.Role is Role.PreCandidate or Role.Candidate;
        var campaigning = after.Role is Role.PreCandidate or Role.Candidate;
        if (wasCampaigning && campaigning && after.Term > before.Term && before.Role == Role.Candidate)
            End("split", after.Term);
        else if (wasCampaigning && after.Role == Role.Primary)
            Won(after.Term);
        else if (wasCampaigning && !campaigning)
            End("lost", after.Term);

        if (campaigning && _election is null)
            Start(after);
        else if (before.Role == Role.PreCandidate && after.Role == Role.Candidate)
            Log.ElectionStarted(logger, node, "election", after.Term); // the pre-vote round passed
        if (_election is not null && after.Role == Role.Candidate)
        {
            _electionTerm = after.Term;
            _election.SetTag("kv.term", after.Term);
        }
        if (before.Role == Role.Primary && after.Role != Role.Primary)
            Log.SteppedDown(logger, node, before.Term, after.Term);
    }

    private void Start(SoftState state)
    {
        _votes.Clear();
        _votes.Add(node);
        _election = KvTelemetry.StartDetached(KvTelemetry.Spans.Election, ActivityKind.Internal);
        _election?.SetTag(KvTelemetry.NodeTag, node);
        _election?.SetTag("kv.candidate", node);
        // A pre-vote round asks whether a real election for the next term could be won; say that term throughout.
        var preVote = state.Role == Role.PreCandidate;
        _electionTerm = preVote ? state.Term + 1 : state.Term;
        _election?.SetTag("kv.term", _electionTerm);
        Log.ElectionStarted(logger, node, preVote ? "pre-vote" : "election", _electionTerm);
    }

    private void Won(long term)
    {
        // Read first: ending the election (its log line, its span) is not part of the failover.
        var won = time.GetTimestamp();
        End("won", term);
        if (_lastHeardFromPrimary is { } heard)
        {
            var duration = time.GetElapsedTime(heard, won);
            metrics.FailoverCompleted(duration);
            Log.FailoverCompleted(logger, node, term, duration.TotalMilliseconds);
        }
    }

    private void End(string outcome, long term)
    {
        metrics.ElectionEnded(outcome);
        Log.ElectionEnded(logger, node, _electionTerm, outcome, _votes.Count, term);
        if (_election is null)
            return;
        _election.SetTag("kv.votes_received", _votes.Count);
        _election.SetTag("kv.outcome", outcome);
        _election.SetStatus(outcome == "won" ? ActivityStatusCode.Ok : ActivityStatusCode.Unset);
        _election.Dispose();
        _election = null;
    }
}
