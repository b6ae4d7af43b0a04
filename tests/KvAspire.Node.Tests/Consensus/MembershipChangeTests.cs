using KvAspire.Node.Consensus;

namespace KvAspire.Node.Tests.Consensus;

/// <summary>
/// Membership changes in the core (Raft.Membership.cs): learners catch up without counting, are promoted only once
/// caught up, one change at a time, removed nodes stay quiet, and a configuration lives and dies with its log entry.
/// </summary>
public class MembershipChangeTests
{
    private static readonly string[] Founders = ["a", "b", "c"];

    private static TestNetwork Grown(string[] ids, int seed = 3) => new(ids, seed, founders: Founders);

    private static MembershipChangeResult Change(TestNetwork network, MembershipChangeKind kind, string id)
    {
        var result = network.Primary.ChangeMembership(new MembershipChange(kind, id));
        network.Deliver();
        return result;
    }

    /// <summary>The founders and "d", with d's addition as a learner committed; <paramref name="untilItStopsJoining"/>: and d no
    /// longer joining either (a joining node's answers count for nothing anyway).</summary>
    private static (TestNetwork Network, string Primary) WithLearnerD(bool untilItStopsJoining)
    {
        var network = Grown(["a", "b", "c", "d"]);
        var primary = network.ElectPrimary().Id;
        Change(network, MembershipChangeKind.AddLearner, "d");
        network.RunUntil(() => !network[primary].MembershipChanging && (!untilItStopsJoining || network["d"].Standing == Standing.Voter), 100,
            "the learner's addition committing");
        return (network, primary);
    }

    private static void ProposeMany(TestNetwork network, int count)
    {
        for (var i = 0; i < count; i++)
            Assert.True(network.Propose(network.Primary.Id, $"v{i}").Accepted);
        network.Deliver();
    }

    [Fact]
    public void Learner_CatchesUp_IsPromoted_AndThenCountsTowardsTheQuorum()
    {
        var network = Grown(["a", "b", "c", "d"]);
        network.ElectPrimary();
        ProposeMany(network, 20);

        Assert.Equal(MembershipChangeStatus.Accepted, Change(network, MembershipChangeKind.AddLearner, "d").Status);
        network.RunUntil(() => network["d"].Log.LastIndex == network.Primary.Log.LastIndex && network["d"].Standing == Standing.Voter,
            200, "the learner catching up");
        Assert.True(network["d"].Membership.IsLearner("d"));

        Assert.Equal(MembershipChangeStatus.Accepted, Change(network, MembershipChangeKind.Promote, "d").Status);
        network.RunUntil(() => !network.Primary.MembershipChanging, 200, "the promotion committing");
        Assert.All(network.Live, raft => Assert.Equal(["a", "b", "c", "d"], raft.Membership.Voters));

        // Four voters need three: with one founder cut off, the primary commits only because d counts.
        var primary = network.Primary.Id;
        var cutOff = Founders.First(id => id != primary);
        network.Isolate(cutOff);
        var write = network.Propose(primary, "after-promotion");
        network.RunUntil(() => network[primary].CommitIndex >= write.Index, 100, "a write committing with the new voter");
    }

    [Fact]
    public void Learner_DoesNotCount_UntilPromoted()
    {
        var (network, primary) = WithLearnerD(untilItStopsJoining: true);

        foreach (var founder in Founders.Where(id => id != primary))
            network.Isolate(founder);
        var write = network.Propose(primary, "only-the-learner-acknowledges-it");
        // A learner is sent only committed entries, but it may hold this one from before (as a voter of a configuration
        // that was later truncated): its acknowledgement is made by hand.
        network[primary].Step(new ReplicateResponse("d", primary, network[primary].Term, Success: true, MatchIndex: write.Index));
        network.Tick(5);

        Assert.True(network[primary].CommitIndex < write.Index, "a learner's acknowledgement committed an entry");
    }

    [Fact]
    public void Learner_ForgetsAPrimaryItHasNotHeardFromForAnElectionTimeout_AndAnswersVoteRequestsAtOnce()
    {
        var (network, primary) = WithLearnerD(untilItStopsJoining: true);
        var learner = network["d"];
        var candidate = Founders.First(id => id != primary);
        Assert.Equal(primary, learner.Primary);

        network.Crash(primary);
        for (var i = 0; i < network.Options.ElectionTicksMax; i++)
            learner.Tick();
        Assert.Null(learner.Primary);
        learner.TakeReady();
        learner.Step(new RequestVote(candidate, "d", learner.Term + 1, learner.Log.LastIndex, learner.Log.LastTerm));

        var answer = Assert.Single(learner.TakeReady().Messages.OfType<RequestVoteResponse>());
        Assert.True(answer.Granted, "a learner whose primary is gone refused a candidate as up to date as itself");
    }

    [Fact]
    public void Learner_ReceivesAnEntry_OnlyOnceItHasCommitted()
    {
        var (network, primary) = WithLearnerD(untilItStopsJoining: false);

        foreach (var founder in Founders.Where(id => id != primary))
            network.Isolate(founder);
        var write = network.Propose(primary, "no-majority-holds-it-yet");
        network.Tick(5);
        Assert.True(network["d"].Log.LastIndex < write.Index, "the learner received an entry that had not committed");

        network.Heal();
        network.RunUntil(() => network["d"].Log.LastIndex >= write.Index, 100, "the learner receiving the entry once it commits");
        Assert.True(network[primary].CommitIndex >= write.Index);
    }

    /// <summary>
    /// Simulator seed 17951 in four nodes. The promoter appends d's promotion and is cut off before anyone receives it: in
    /// its log d is a voter, so it needs three of a, b, c, d. The other two founders elect a newer primary, whose entries
    /// reach only d (a learner in that primary's configuration), and that primary then loses its disk. Had d received them,
    /// its newer last term would refuse the promoter's votes (Raft §5.4.1), the promoter's longer log would refuse the last
    /// founder's, the wiped node may not vote and d, a learner in its own log, never campaigns: no primary ever again,
    /// with three of four nodes up. Failed before a learner was sent only committed entries.
    /// </summary>
    [Fact]
    public void UncommittedPromotion_ANewerTermOnlyTheLearnerSaw_AndAWipedVoter_StillLeaveAPrimaryElectable()
    {
        var network = Grown(["a", "b", "c", "d"]);
        var promoter = network.ElectPrimary().Id;
        ProposeMany(network, 3);
        Change(network, MembershipChangeKind.AddLearner, "d");
        network.RunUntil(() => !network[promoter].MembershipChanging && network["d"].Log.LastIndex == network[promoter].Log.LastIndex
            && network["d"].Standing == Standing.Voter, 200, "the learner catching up");
        var promotionTerm = network[promoter].Term;

        network.Isolate(promoter);
        var promotion = network[promoter].ChangeMembership(new MembershipChange(MembershipChangeKind.Promote, "d"));
        Assert.Equal(MembershipChangeStatus.Accepted, promotion.Status);
        // A newer primary's entries reach the learner, and no voter.
        network.MessageHook = m => m is not (Replicate or InstallSnapshot) || m.Term == promotionTerm || m.To == "d";
        network.RunUntil(() => network.Live.Any(r => r.Role == Role.Primary && r.Term > promotionTerm), 300, "a primary of a newer term");
        var newer = network.Live.First(r => r.Role == Role.Primary && r.Term > promotionTerm);
        var newerTerm = newer.Term;

        network.Wipe(newer.Id);
        network.MessageHook = null;
        network.Tick(network.Options.ElectionTicksMax); // the cut-off promoter steps down (check-quorum)
        Assert.Empty(network.Primaries);
        network.Heal();

        network.RunUntil(() => network.Primaries is [{ HasCommittedInCurrentTerm: true } primary] && primary.Term > newerTerm, 1_000,
            "a primary after the wipe");
        Assert.Equal(promoter, network.Primary.Id); // the only log as up to date as a majority of either configuration
        Assert.True(network.Primary.Membership.IsVoter("d"));
    }

    [Fact]
    public void Promotion_OfALearnerThatDoesNotAnswer_IsRefused()
    {
        var network = Grown(["a", "b", "c", "d"]);
        network.ElectPrimary();
        network.Isolate("d");
        Change(network, MembershipChangeKind.AddLearner, "d");
        network.RunUntil(() => !network.Primary.MembershipChanging, 100, "the learner's addition committing");
        var log = network.Primary.Log.LastIndex;

        Assert.Equal(MembershipChangeStatus.NotCaughtUp, Change(network, MembershipChangeKind.Promote, "d").Status);
        Assert.Equal(log, network.Primary.Log.LastIndex);
        Assert.True(network.Primary.Membership.IsLearner("d"));
    }

    [Fact]
    public void SecondChange_WhileTheFirstHasNotCommitted_IsRefused_AndWritesNothing()
    {
        var network = Grown(["a", "b", "c", "d", "e"]);
        var primary = network.ElectPrimary().Id;
        foreach (var founder in Founders.Where(id => id != primary))
            network.Isolate(founder);

        Assert.Equal(MembershipChangeStatus.Accepted, Change(network, MembershipChangeKind.AddLearner, "d").Status);
        Assert.True(network[primary].MembershipChanging);
        var log = network[primary].Log.LastIndex;
        Assert.Equal(MembershipChangeStatus.InProgress, Change(network, MembershipChangeKind.AddLearner, "e").Status);
        Assert.Equal(log, network[primary].Log.LastIndex);
    }

    [Theory]
    [InlineData(MembershipChangeKind.AddLearner, "a", MembershipChangeStatus.AlreadyMember)]
    [InlineData(MembershipChangeKind.Promote, "a", MembershipChangeStatus.AlreadyMember)]
    [InlineData(MembershipChangeKind.Promote, "z", MembershipChangeStatus.UnknownMember)]
    [InlineData(MembershipChangeKind.Remove, "z", MembershipChangeStatus.UnknownMember)]
    public void ChangeThatDoesNotFitTheMembership_IsRefused(MembershipChangeKind kind, string id, MembershipChangeStatus expected)
    {
        var network = Grown(["a", "b", "c"]);
        network.ElectPrimary();
        var log = network.Primary.Log.LastIndex;

        Assert.Equal(expected, Change(network, kind, id).Status);
        Assert.Equal(log, network.Primary.Log.LastIndex);
    }

    [Fact]
    public void OnlyThePrimary_ChangesMembers()
    {
        var network = Grown(["a", "b", "c"]);
        var primary = network.ElectPrimary().Id;
        var secondary = network[Founders.First(id => id != primary)];

        var result = secondary.ChangeMembership(new MembershipChange(MembershipChangeKind.Remove, primary));

        Assert.Equal(MembershipChangeStatus.NotPrimary, result.Status);
        Assert.Equal(primary, result.Primary);
    }

    [Fact]
    public void Removal_ThatLeavesTooFewAnsweringVoters_IsRefused()
    {
        var network = Grown(["a", "b", "c"]);
        var primary = network.ElectPrimary().Id;
        var (gone, remaining) = (Founders.First(id => id != primary), Founders.Last(id => id != primary));
        network.Isolate(gone);
        network.Tick(network.Options.ElectionTicksMin + 1); // the primary notices who answers

        // Without 'remaining' the voters would be the primary and the unreachable node: no majority answers.
        Assert.Equal(MembershipChangeStatus.NoQuorum, Change(network, MembershipChangeKind.Remove, remaining).Status);
        Assert.Equal(MembershipChangeStatus.Accepted, Change(network, MembershipChangeKind.Remove, gone).Status);
    }

    [Fact]
    public void RemovedPrimary_HandsOverOnceItsRemovalCommits_AndNeverCampaignsAgain()
    {
        var network = Grown(["a", "b", "c"]);
        var old = network.ElectPrimary().Id;
        ProposeMany(network, 5);

        Assert.Equal(MembershipChangeStatus.Accepted, Change(network, MembershipChangeKind.Remove, old).Status);
        network.RunUntil(() => network.Primaries.Count == 1 && network.Primary.Id != old, 100, "a remaining voter taking over");
        var successor = network.Primary.Id;
        Assert.False(network[old].Membership.Contains(old));

        network.Tick(10 * network.Options.ElectionTicksMax);
        Assert.Equal(Role.Secondary, network[old].Role);
        Assert.Equal(successor, network.Primary.Id);
        var write = network.Propose(successor, "two voters commit");
        network.RunUntil(() => network[successor].CommitIndex >= write.Index, 100, "a write under the two remaining voters");
    }

    [Fact]
    public void RemovedSecondary_CannotDisturbTheCluster_EvenWhenCutOff()
    {
        var network = Grown(["a", "b", "c"]);
        var primary = network.ElectPrimary().Id;
        var removed = Founders.First(id => id != primary);
        Change(network, MembershipChangeKind.Remove, removed);
        network.RunUntil(() => !network[primary].MembershipChanging, 100, "the removal committing");
        var term = network[primary].Term;

        network.Isolate(removed);
        network.Tick(10 * network.Options.ElectionTicksMax);
        network.Heal();
        network.Tick(3);

        // It never learnt of its removal (no primary sends to a non-member) and asks for pre-votes, which nobody grants.
        Assert.NotEqual(Role.Primary, network[removed].Role);
        Assert.Equal(term, network[primary].Term);
        Assert.Equal(Role.Primary, network[primary].Role);
    }

    [Fact]
    public void UncommittedConfiguration_TruncatedByANewPrimary_IsNoLongerInForce()
    {
        var network = Grown(["a", "b", "c", "d"]);
        var old = network.ElectPrimary().Id;
        foreach (var founder in Founders.Where(id => id != old))
            network.Isolate(founder);
        Change(network, MembershipChangeKind.AddLearner, "d");
        Assert.True(network[old].Membership.IsLearner("d"));

        // The others elect a primary without the entry; the old one comes back and loses its suffix.
        network.Heal();
        network.Isolate(old);
        network.RunUntil(() => network.Primaries.Any(p => p.Id != old && p.HasCommittedInCurrentTerm), 200, "a new primary without the old one");
        network.Heal();
        network.RunUntil(() => network[old].Role == Role.Secondary && network[old].Log.LastTerm > 1, 200, "the old primary following");

        Assert.False(network[old].Membership.Contains("d"));
        Assert.Equal(["a", "b", "c"], network[old].Membership.Voters);
    }

    [Fact]
    public void Configuration_IsReadBackFromTheLog_OnRestart()
    {
        var (network, primary) = WithLearnerD(untilItStopsJoining: false);
        var secondary = Founders.First(id => id != primary);

        network.Crash(secondary);
        network.Restart(secondary);

        Assert.True(network[secondary].Membership.IsLearner("d"));
        Assert.Contains("d", network[secondary].Peers);
    }

    [Fact]
    public void InstalledSnapshot_BringsItsConfiguration()
    {
        var secondary = new Raft("d", Founders, RaftTestKit.Options, new Random(1), HardState.Blank, [], founder: false);
        var membership = new Membership(Founders, ["d"]);

        secondary.Step(new InstallSnapshot("a", "d", 2, new SnapshotMarker(50, 2)) { Membership = membership });

        Assert.Equal(membership, secondary.Membership);
        Assert.Equal(50, secondary.CommitIndex);
    }

    [Fact]
    public void Proposal_ThatLooksLikeAConfiguration_IsRefused()
    {
        var primary = RaftTestKit.NewPrimary();
        Assert.Throws<ArgumentException>(() => primary.Propose(new Membership(["a"], []).Encode()));
    }
}
