using KvAspire.Chaos.Linearizability;
using static KvAspire.Chaos.Linearizability.OperationKind;

namespace KvAspire.Chaos.Tests;

/// <summary>The checker rejects histories no correct store can produce and accepts concurrent ones a correct store can.</summary>
public sealed class CheckerTests
{
    private static Operation Op(int client, OperationKind kind, string? input, string? output, long call, long? @return, string key = "k") =>
        new(client, key, kind, input, output, call, @return);

    [Fact]
    public void AStaleRead_AfterAWriteCompleted_IsRejected()
    {
        Operation[] history =
        [
            Op(1, Put, "v1", null, 0, 10),
            Op(1, Put, "v2", null, 20, 30),
            Op(2, Get, null, "v1", 40, 50),
        ];

        var result = Checker.Check(history);

        Assert.False(result.IsLinearizable);
        Assert.Equal(["client 1 Put k v2", "client 2 Get k"], result.Failures.Single().Minimal.Select(Describe));
    }

    [Fact]
    public void ALostWrite_AcknowledgedThenNotRead_IsRejected()
    {
        Operation[] history =
        [
            Op(1, Put, "v1", null, 0, 10),
            Op(2, Get, null, null, 20, 30),
        ];

        Assert.False(Checker.Check(history).IsLinearizable);
    }

    [Fact]
    public void AReadOfAValueNeverWritten_IsRejected()
    {
        Operation[] history = [Op(1, Put, "a", null, 0, 10), Op(2, Get, null, "b", 5, 15)];

        Assert.False(Checker.Check(history).IsLinearizable);
    }

    [Fact]
    public void ASplitBrain_TwoCreatesThatBothWon_IsRejected()
    {
        // Two primaries each accepted a create-only write of the same key: at most one can have won.
        Operation[] history =
        [
            Op(1, PutIfAbsent, "lock-a", "true", 0, 100),
            Op(2, PutIfAbsent, "lock-b", "true", 10, 90),
        ];

        Assert.False(Checker.Check(history).IsLinearizable);
    }

    [Fact]
    public void ReadsThatFlipBackInTime_AreRejected_EvenWhileAWriteIsInFlight()
    {
        // While v2 is being written a read may see v1 or v2, but once one read saw v2 a later one cannot see v1.
        Operation[] history =
        [
            Op(1, Put, "v1", null, 0, 10),
            Op(1, Put, "v2", null, 20, 100),
            Op(2, Get, null, "v2", 30, 40),
            Op(3, Get, null, "v1", 50, 60),
        ];

        Assert.False(Checker.Check(history).IsLinearizable);
    }

    [Fact]
    public void ConcurrentOperations_ThatSomeOrderExplains_AreAccepted()
    {
        Operation[] history =
        [
            Op(1, Put, "v1", null, 0, 100),
            Op(2, Put, "v2", null, 10, 90),
            Op(3, Get, null, "v2", 20, 30),
            Op(4, Get, null, "v1", 40, 50),
            Op(3, Delete, null, "true", 60, 120),
            Op(4, Get, null, null, 130, 140),
            Op(2, PutIfAbsent, "v3", "true", 150, 160),
            Op(1, PutIfAbsent, "v4", "false", 155, 170),
        ];

        Assert.True(Checker.Check(history).IsLinearizable);
    }

    [Fact]
    public void AnIndeterminateWrite_MayHaveHappenedOrNot()
    {
        Operation[] seen = [Op(1, Put, "v1", null, 0, 10), Op(1, Put, "v2", null, 20, null), Op(2, Get, null, "v2", 30, 40)];
        Operation[] notSeen = [Op(1, Put, "v1", null, 0, 10), Op(1, Put, "v2", null, 20, null), Op(2, Get, null, "v1", 30, 40)];
        Operation[] seenThenLost =
        [
            Op(1, Put, "v1", null, 0, 10), Op(1, Put, "v2", null, 20, null),
            Op(2, Get, null, "v2", 30, 40), Op(2, Get, null, "v1", 50, 60),
        ];

        Assert.True(Checker.Check(seen).IsLinearizable);
        Assert.True(Checker.Check(notSeen).IsLinearizable);
        Assert.False(Checker.Check(seenThenLost).IsLinearizable);
    }

    [Fact]
    public void Keys_AreCheckedApart_AndOnlyTheBrokenOneIsReported()
    {
        Operation[] history =
        [
            Op(1, Put, "a1", null, 0, 10, key: "a"),
            Op(2, Get, null, "a1", 20, 30, key: "a"),
            Op(1, Put, "b1", null, 0, 10, key: "b"),
            Op(2, Get, null, null, 20, 30, key: "b"),
        ];

        var result = Checker.Check(history);

        Assert.Equal(2, result.Keys);
        Assert.Equal("b", result.Failures.Single().Key);
    }

    [Fact]
    public void AManyClientHistoryFromASequentialStore_IsAccepted()
    {
        // Operations applied one at a time to a real register, each with its call before and its return after the
        // moment it applied, overlapping one another heavily: the search must find the order without timing out.
        var random = new Random(5);
        var history = new List<Operation>();
        string? value = null;
        for (var i = 0; i < 400; i++)
        {
            var at = i * 10L;
            var (call, @return) = (at - random.Next(0, 40), at + random.Next(1, 40));
            var kind = (OperationKind)random.Next(4);
            var input = kind is Put or PutIfAbsent ? $"v{i}" : null;
            string? output = null;
            switch (kind)
            {
                case Get: output = value; break;
                case Put: value = input; break;
                case Delete: output = value is null ? "false" : "true"; value = null; break;
                case PutIfAbsent: output = value is null ? "true" : "false"; value ??= input; break;
            }
            history.Add(new Operation(random.Next(8), "k", kind, input, output, call, random.Next(20) == 0 ? null : @return));
        }

        Assert.True(Checker.Check(history).IsLinearizable);
    }

    private static string Describe(Operation o) => $"client {o.Client} {o.Kind} {o.Key}{(o.Input is null ? "" : " " + o.Input)}";
}
