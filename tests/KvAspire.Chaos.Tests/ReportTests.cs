using KvAspire.Chaos.Faults;
using KvAspire.Chaos.Linearizability;
using KvAspire.Chaos.Load;
using KvAspire.Chaos.Report;

namespace KvAspire.Chaos.Tests;

public sealed class ReportTests
{
    private static ClientOp Ok(OperationKind kind, string? input, string? output, long call, long ret, string key = "k") =>
        new(new Operation(1, key, kind, input, output, call, ret), OpResult.Ok, ret, "http", null);

    private static ClientOp Unknown(OperationKind kind, string? input, long call, string key = "k") =>
        new(new Operation(2, key, kind, input, null, call, null), OpResult.Indeterminate, call + 5, "resp", "timeout");

    private static ClientOp Refused(OperationKind kind, string? input, long call, string key = "k") =>
        new(new Operation(3, key, kind, input, null, call, null), OpResult.Failed, call + 5, "resp", "READONLY");

    private static Dictionary<string, string?> Final(string? value, string key = "k") => new() { [key] = value };

    [Fact]
    public void TheLastAcknowledgedWrite_StillThere_IsNotLost()
    {
        List<ClientOp> ops = [Ok(OperationKind.Put, "a", null, 0, 10), Ok(OperationKind.Put, "b", null, 20, 30)];

        Assert.Empty(LostWrites.Find(ops, Final("b")));
    }

    [Fact]
    public void AnOlderValue_AfterTheLastAcknowledgedWrite_IsALostWrite()
    {
        List<ClientOp> ops = [Ok(OperationKind.Put, "a", null, 0, 10), Ok(OperationKind.Put, "b", null, 20, 30)];

        var lost = Assert.Single(LostWrites.Find(ops, Final("a")));

        Assert.Equal("k", lost.Key);
        Assert.Equal("b", lost.Acknowledged.Operation.Input);
        Assert.Equal("a", lost.Found);
    }

    [Fact]
    public void AnAcknowledgedDelete_ThatComesBack_IsALostWrite()
    {
        List<ClientOp> ops = [Ok(OperationKind.Put, "a", null, 0, 10), Ok(OperationKind.Delete, null, "true", 20, 30)];

        Assert.Single(LostWrites.Find(ops, Final("a")));
        Assert.Empty(LostWrites.Find(ops, Final(null)));
    }

    [Fact]
    public void AWriteThatOverlappedTheLast_MayHaveLandedAfterIt()
    {
        List<ClientOp> ops = [Ok(OperationKind.Put, "a", null, 15, 25), Ok(OperationKind.Put, "b", null, 20, 30)];

        Assert.Empty(LostWrites.Find(ops, Final("a")));
    }

    [Fact]
    public void AWriteOfUnknownOutcome_MayHaveLandedAfterTheLast_ButARefusedOneNever()
    {
        List<ClientOp> unknown = [Unknown(OperationKind.Put, "x", 0), Ok(OperationKind.Put, "b", null, 20, 30)];
        List<ClientOp> refused = [Refused(OperationKind.Put, "x", 0), Ok(OperationKind.Put, "b", null, 20, 30)];

        Assert.Empty(LostWrites.Find(unknown, Final("x")));
        Assert.Single(LostWrites.Find(refused, Final("x")));
    }

    [Fact]
    public void ACreateOnlyWriteThatDidNotWrite_IsNotTheLastWrite()
    {
        List<ClientOp> ops = [Ok(OperationKind.Put, "a", null, 0, 10), Ok(OperationKind.PutIfAbsent, "z", "false", 20, 30)];

        Assert.Empty(LostWrites.Find(ops, Final("a")));
        Assert.Single(LostWrites.Find(ops, Final("z")));
    }

    [Fact]
    public void LostWrites_AreCountedPerKey_AndKeysWithoutAFinalReadAreSkipped()
    {
        List<ClientOp> ops =
        [
            Ok(OperationKind.Put, "a", null, 0, 10, key: "k1"),
            Ok(OperationKind.Put, "b", null, 0, 10, key: "k2"),
            Ok(OperationKind.Put, "c", null, 0, 10, key: "k3"),
        ];

        var lost = LostWrites.Find(ops, new Dictionary<string, string?> { ["k1"] = null, ["k2"] = "b" });

        Assert.Equal("k1", Assert.Single(lost).Key);
    }

    private static FaultRecord Fault(FaultKind kind, long start, bool injected = true) =>
        new(new ScheduledFault(1, TimeSpan.Zero, kind, ScheduledFault.Primary, TimeSpan.FromSeconds(1)), "node1", start, start + 1000, start + 2000, injected, null);

    [Fact]
    public void Unavailability_RunsFromTheFaultToTheFirstWriteInvokedAfterItThatWasAcknowledged()
    {
        List<ClientOp> ops =
        [
            Ok(OperationKind.Put, "before", null, 900, 1_500), // invoked before the fault: does not count
            Ok(OperationKind.Get, null, "v", 1_100, 1_200), // a read: does not count
            Refused(OperationKind.Put, "refused", 1_100),
            Ok(OperationKind.Put, "first", null, 1_300, 251_000),
            Ok(OperationKind.Put, "later", null, 1_400, 300_000),
        ];

        Assert.Equal(250.0, Unavailability.Of(Fault(FaultKind.Kill, 1_000), ops));
        Assert.Null(Unavailability.Of(Fault(FaultKind.Kill, 400_000), ops));
    }

    [Fact]
    public void UnavailabilityByKind_GivesNearestRankPercentiles_AndCountsFaultsNeverRecoveredFrom()
    {
        var faults = new[] { 0L, 1_000_000, 2_000_000, 3_000_000 }.Select(start => Fault(FaultKind.Pause, start))
            .Append(Fault(FaultKind.Kill, 0, injected: false)).ToList();
        List<ClientOp> ops =
        [
            Ok(OperationKind.Put, "a", null, 10, 100_000), // 100 ms after the fault at 0
            Ok(OperationKind.Put, "b", null, 1_000_010, 1_300_000), // 300 ms
            Ok(OperationKind.Put, "c", null, 2_000_010, 2_200_000), // 200 ms; nothing after the fault at 3 s
        ];

        var stats = Unavailability.ByKind(faults, ops);

        var pause = Assert.Single(stats).Value;
        Assert.Equal(new UnavailabilityStats(4, 200, 300, 1), pause);
    }

    [Fact]
    public void AFailingKeysContext_ShowsItsRefusedOperationsInTheMinimalSubHistorysSpan()
    {
        var put = Ok(OperationKind.Put, "a", null, 0, 10);
        var read = Ok(OperationKind.Get, null, null, 40, 50);
        List<ClientOp> ops =
        [
            Ok(OperationKind.Put, "early", null, -20, -10),
            put,
            Refused(OperationKind.Delete, null, 20),
            Refused(OperationKind.Delete, null, 25, key: "other"),
            read,
            Ok(OperationKind.Put, "late", null, 60, 70),
        ];

        var context = ChaosReport.Context(new KeyFailure("k", 2, [put.Operation, read.Operation]), ops);

        Assert.Equal([put, ops[2], read], context);
    }

    [Fact]
    public void Elections_CountPrimaryChanges_AndTermsOnlyFromPollsThatFoundAPrimary()
    {
        List<Cluster.ClusterSample> samples =
        [
            new(0, null, 0),
            new(1, "node1", 1),
            new(2, "node1", 1),
            new(3, null, 1),
            new(4, "node2", 3),
            new(5, "node1", 4),
        ];

        Assert.Equal(new Elections(1, 4, 2), Elections.Of(samples));
    }

    [Fact]
    public void Percentile_IsNearestRank()
    {
        var values = Enumerable.Range(1, 100).Select(v => (double)v).ToList();

        Assert.Equal(50, Unavailability.Percentile(values, 50));
        Assert.Equal(99, Unavailability.Percentile(values, 99));
        Assert.Equal(7, Unavailability.Percentile([7], 99));
        Assert.Null(Unavailability.Percentile([], 50));
    }
}
