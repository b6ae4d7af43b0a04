namespace KvAspire.Node.Consensus;

/// <summary>What a membership change asks for: a new learner, a learner made a voter, or a member removed.</summary>
public enum MembershipChangeKind
{
    AddLearner,
    Promote,
    Remove,
}

public readonly record struct MembershipChange(MembershipChangeKind Kind, string Id);

/// <summary>How a membership change request ended inside the core.</summary>
public enum MembershipChangeStatus
{
    /// <summary>The new configuration is in the log at (Index, Term) and in force; it is settled once that entry commits.</summary>
    Accepted,
    NotPrimary,
    /// <summary>An earlier change has not committed yet, this primary has not committed an entry of its own term, or it is handing over.</summary>
    InProgress,
    UnknownMember,
    AlreadyMember,
    NotALearner,
    /// <summary>The learner is further behind the primary's log than <see cref="RaftOptions.MaxPromotionLag"/>, or still joining.</summary>
    NotCaughtUp,
    /// <summary>The change would leave the cluster without a voter.</summary>
    LastVoter,
    /// <summary>The cluster already has <see cref="MemberRules.MaxMembers"/> members.</summary>
    Full,
    /// <summary>Too few of the new configuration's voters answer this primary, or too many are still joining, for it to
    /// commit anything: the change would stall the cluster.</summary>
    NoQuorum,
}

public readonly record struct MembershipChangeResult(MembershipChangeStatus Status, long Index, long Term, string? Primary)
{
    public bool Accepted => Status == MembershipChangeStatus.Accepted;
}

/// <summary>
/// Membership changes, one server at a time (Raft thesis §4.1 and §4.3). A configuration takes effect as soon as it is in
/// a node's log, committed or not, so any two successive configurations' majorities overlap: no two primaries can be
/// elected in one term. A primary starts a change only when the previous one has committed and it has committed an entry of
/// its own term, which closes the gap the thesis's single-server algorithm had across primary changes (Ongaro, raft-dev,
/// 2015). A learner is added first and promoted once it has nearly caught up, so the quorum never waits on a node that
/// is still copying the log (etcd's learners). A node outside the configuration neither campaigns nor counts, and a
/// candidate counts only the votes of its configuration's voters. A vote request is answered whoever sends it, since the
/// voter's own configuration may be older than the candidate's (Raft thesis §4.1); a removed node that never learnt of its
/// removal cannot disrupt the cluster either, as pre-vote and the primary lease refuse it. A primary that removed itself
/// hands over as soon as its removal commits.
/// </summary>
public sealed partial class Raft
{
    /// <summary>The founding members: the membership before the log holds any configuration.</summary>
    private readonly Membership _foundingMembers;
    /// <summary>The membership as of the log's start (the snapshot's, or the founding one).</summary>
    private Membership _startMembership;
    /// <summary>The configuration entries the log holds after its start, oldest first.</summary>
    private readonly List<(long Index, long Term, Membership Membership)> _configurations = [];
    /// <summary>Members other than this node: whom a primary replicates to.</summary>
    private string[] _peers = [];
    /// <summary>Voters other than this node: whom a candidate asks and whose acknowledgements count.</summary>
    private string[] _voters = [];
    private bool _isVoter;

    /// <summary>The configuration in force: the newest one in the log, committed or not.</summary>
    public Membership Membership { get; private set; } = null!;

    /// <summary>The log holds a configuration that has not committed yet.</summary>
    public bool MembershipChanging => _configurations.Count > 0 && _configurations[^1].Index > CommitIndex;

    /// <summary>
    /// A voter campaigns; so does a node whose removal has not committed yet (Raft thesis §4.2.2): it may hold the only
    /// copy of that entry among the old configuration's majority, and until the entry commits the old configuration may
    /// still need it to lead. It wins only with a majority of the new configuration's voters, who then hold the entry.
    /// </summary>
    private bool MayCampaign =>
        _isVoter || (MembershipChanging && (_configurations.Count > 1 ? _configurations[^2].Membership : _startMembership).IsVoter(Id));

    /// <summary>Voters, this node included when it is one.</summary>
    private int VoterCount => _voters.Length + (_isVoter ? 1 : 0);

    /// <summary>Proposes <paramref name="change"/> (see the class remarks for when a primary may).</summary>
    public MembershipChangeResult ChangeMembership(MembershipChange change)
    {
        if (Role != Role.Primary)
            return new(MembershipChangeStatus.NotPrimary, 0, Term, Primary);
        if (MembershipChanging || !HasCommittedInCurrentTerm || _transferTarget is not null)
            return new(MembershipChangeStatus.InProgress, 0, Term, Id);
        if (!MemberRules.IsValidId(change.Id))
            throw new ArgumentException($"'{change.Id}' is not a member name.", nameof(change));
        var current = Membership;
        var (status, next) = change.Kind switch
        {
            MembershipChangeKind.AddLearner when current.Contains(change.Id) => (MembershipChangeStatus.AlreadyMember, current),
            MembershipChangeKind.AddLearner when current.Members.Count() >= MemberRules.MaxMembers => (MembershipChangeStatus.Full, current),
            MembershipChangeKind.AddLearner => (MembershipChangeStatus.Accepted, current.WithLearner(change.Id)),
            MembershipChangeKind.Promote when current.IsVoter(change.Id) => (MembershipChangeStatus.AlreadyMember, current),
            MembershipChangeKind.Promote when !current.IsLearner(change.Id) => (MembershipChangeStatus.UnknownMember, current),
            MembershipChangeKind.Promote when !IsReadyToVote(change.Id) => (MembershipChangeStatus.NotCaughtUp, current),
            MembershipChangeKind.Promote => (MembershipChangeStatus.Accepted, current.WithVoter(change.Id)),
            MembershipChangeKind.Remove when !current.Contains(change.Id) => (MembershipChangeStatus.UnknownMember, current),
            MembershipChangeKind.Remove when current.Voters is [var only] && only == change.Id => (MembershipChangeStatus.LastVoter, current),
            MembershipChangeKind.Remove => (MembershipChangeStatus.Accepted, current.Without(change.Id)),
            _ => throw new ArgumentOutOfRangeException(nameof(change), change.Kind, "not a membership change"),
        };
        if (status == MembershipChangeStatus.Accepted && change.Kind != MembershipChangeKind.AddLearner && !CanCommitUnder(next))
            status = MembershipChangeStatus.NoQuorum;
        if (status != MembershipChangeStatus.Accepted)
            return new(status, 0, Term, Id);
        var index = Log.Append(Term, next.Encode());
        _configurations.Add((index, Term, next));
        UseNewestMembership();
        _flushPending = true;
        return new(MembershipChangeStatus.Accepted, index, Term, Id);
    }

    /// <summary>A learner may vote once it answers and is within <see cref="RaftOptions.MaxPromotionLag"/> of our log, so
    /// promoting it does not stall commits while it copies the rest.</summary>
    private bool IsReadyToVote(string learner) =>
        _progress.TryGetValue(learner, out var progress) && !progress.Joining && progress.RecentActive
        && progress.Match >= Log.LastIndex - _options.MaxPromotionLag;

    /// <summary>A majority of <paramref name="next"/>'s voters answered within the last election timeout and may vote (etcd's
    /// strict reconfiguration check): otherwise the change, in force at once, would leave no quorum to commit it, or
    /// anything after it.</summary>
    private bool CanCommitUnder(Membership next)
    {
        var able = 0;
        foreach (var voter in next.Voters)
        {
            if (voter == Id || (_progress.TryGetValue(voter, out var progress) && !progress.Joining && progress.RecentActive))
                able++;
        }
        return able >= Quorum.Majority(next.Voters.Count);
    }

    /// <summary>Reads the configuration entries of a log loaded at start.</summary>
    private void LoadMemberships()
    {
        for (var index = Log.Start.Index + 1; index <= Log.LastIndex; index++)
            Track(Log[index]);
        UseNewestMembership();
    }

    /// <summary>A primary's entries were appended (replacing any conflicting suffix): configurations that went with the
    /// suffix are forgotten, so the previous one is in force again, and the new entries' ones are tracked.</summary>
    private void TrackAppended(IReadOnlyList<Entry> entries)
    {
        while (_configurations.Count > 0 && Log.TermAt(_configurations[^1].Index) != _configurations[^1].Term)
            _configurations.RemoveAt(_configurations.Count - 1);
        var tracked = _configurations.Count > 0 ? _configurations[^1].Index : Log.Start.Index;
        // Runs for every Replicate a secondary takes: indexed, so no enumerator is allocated.
        for (var i = 0; i < entries.Count; i++)
        {
            if (entries[i].Index > tracked)
                Track(entries[i]);
        }
        UseNewestMembership();
    }

    private void Track(Entry entry)
    {
        if (!Membership.IsEntry(entry.Data.Span))
            return;
        // MessageCheck refuses a malformed configuration from a peer; the stored log is checksummed.
        if (!Membership.TryDecode(entry.Data.Span, out var membership))
            throw new InvalidDataException($"Entry {entry.Index} (term {entry.Term}) is a malformed configuration.");
        _configurations.Add((entry.Index, entry.Term, membership));
    }

    /// <summary>The log was compacted: configurations it no longer holds become the start's.</summary>
    private void CompactMemberships()
    {
        while (_configurations.Count > 0 && _configurations[0].Index <= Log.Start.Index)
        {
            _startMembership = _configurations[0].Membership;
            _configurations.RemoveAt(0);
        }
    }

    /// <summary>The log was replaced by a snapshot that holds <paramref name="membership"/> (null: one taken before any change).</summary>
    private void RestoreMembership(Membership? membership)
    {
        _configurations.Clear();
        _startMembership = membership ?? _foundingMembers;
        UseNewestMembership();
    }

    private void UseNewestMembership()
    {
        var newest = _configurations.Count > 0 ? _configurations[^1].Membership : _startMembership;
        if (newest.Equals(Membership))
            return;
        Membership = newest;
        _peers = [.. newest.Members.Where(m => m != Id).Order(StringComparer.Ordinal)];
        _voters = [.. newest.Voters.Where(v => v != Id)];
        _isVoter = newest.IsVoter(Id);
        if (Role != Role.Primary)
            return;
        foreach (var gone in _progress.Keys.Where(p => !newest.Contains(p)).ToList())
            _progress.Remove(gone);
        foreach (var peer in _peers)
            _progress.TryAdd(peer, new Progress(Log.LastIndex + 1));
        if (_transferTarget is not null && !newest.IsVoter(_transferTarget))
            _transferTarget = null;
    }

    /// <summary>This primary's own removal has committed: it hands over to a voter holding its whole log, if one does
    /// (that one campaigns at once), and stops leading.</summary>
    private void StepDownRemoved()
    {
        if (MostUpToDateSecondary() is { } successor && _progress[successor].Match == Log.LastIndex)
            Send(new TimeoutNow(Id, successor, Term));
        BecomeSecondary(Term, primary: null);
    }
}
