namespace KvAspire.Node.Tests.Simulation;

/// <summary>
/// Whose clock ticks next. Without lease reads, any node's: a node's clock may run arbitrarily faster than another's, and
/// nothing may depend on it. With lease reads (<see cref="LeaseReads"/>), the lease is only as safe as its documented
/// clock assumption, so clocks run in simulated time at rates fixed per node within the drift the seed's lease margin
/// allows — L = ElectionTicksMin − margin ticks of the fastest-counting primary must last no less than ElectionTicksMin − 1
/// ticks of the fastest voter — and the checker then holds lease reads to the same linearizability as ReadIndex ones.
/// </summary>
internal sealed partial class Simulator
{
    /// <summary>Simulated time, in nominal ticks.</summary>
    private double _now;
    /// <summary>Each node's ticks per unit of simulated time.</summary>
    private double[] _rates = [];
    private double[] _nextTick = [];

    /// <summary>How far a node's tick rate may be from 1: (1 + drift) / (1 − drift) = (ElectionTicksMin − 1) / L at the limit;
    /// the seed draws up to nine tenths of that.</summary>
    public double Drift { get; private set; }

    private void StartClocks()
    {
        var lease = Options.ElectionTicksMin - Options.LeaseMarginTicks;
        var ratio = (Options.ElectionTicksMin - 1.0) / lease;
        Drift = 0.9 * (ratio - 1) / (ratio + 1) * _random.NextDouble();
        _rates = [.. _nodes.Select(_ => 1 + Drift * (2 * _random.NextDouble() - 1))];
        _nextTick = [.. _nodes.Select(n => _random.NextDouble() / _rates[n.Number])];
    }

    /// <summary>One tick: a random up node's, or, under lease reads, the one whose clock reaches its next tick first.</summary>
    private void TickSomeNode()
    {
        if (!LeaseReads)
        {
            TickNode(RandomNode(up: true));
            return;
        }
        SimNode? next = null;
        foreach (var node in _nodes)
        {
            if (node.IsUp && (next is null || _nextTick[node.Number] < _nextTick[next.Number]))
                next = node;
        }
        if (next is not null)
            TickClock(next);
    }

    /// <summary>Recovery's round: every node ticks once, or, under lease reads, simulated time moves one nominal tick.</summary>
    private void TickEveryNode()
    {
        if (!LeaseReads)
        {
            foreach (var node in _nodes)
                TickNode(node);
            return;
        }
        var until = _now + 1;
        for (var next = Due(until); next is not null; next = Due(until))
            TickClock(next);
        _now = until;
    }

    /// <summary>A node restarted: its clock resumes from now, within one of its ticks.</summary>
    private void ClockRestarted(SimNode node)
    {
        if (LeaseReads)
            _nextTick[node.Number] = _now + _random.NextDouble() / _rates[node.Number];
    }

    private SimNode? Due(double until)
    {
        SimNode? next = null;
        foreach (var node in _nodes)
        {
            if (node.IsUp && _nextTick[node.Number] <= until && (next is null || _nextTick[node.Number] < _nextTick[next.Number]))
                next = node;
        }
        return next;
    }

    private void TickClock(SimNode node)
    {
        _now = Math.Max(_now, _nextTick[node.Number]);
        _nextTick[node.Number] += 1 / _rates[node.Number];
        TickNode(node);
    }
}
