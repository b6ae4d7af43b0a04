using KvAspire.Node.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace KvAspire.Node.Tests.Telemetry;

/// <summary>A batch that holds the host loop long enough to cost a primary its role is counted and explained in the log,
/// without flooding it.</summary>
public sealed class LoopStallsTests : IDisposable
{
    private static readonly TimeSpan Threshold = TimeSpan.FromMilliseconds(75);
    private readonly FakeTimeProvider _time = new();
    private readonly FakeLogger _logger = new();
    private readonly MeasurementRecorder _recorder = new("cause");
    private readonly LoopStalls _stalls;

    public LoopStallsTests() => _stalls = new LoopStalls(_time, Threshold, _recorder.Metrics, _logger, "a");

    private void Batch(TimeSpan held, int inputs = 3, int applied = 512)
    {
        _stalls.BatchStarting();
        _time.Advance(held);
        _stalls.BatchEnded(inputs, applied);
    }

    private IReadOnlyList<(string Instrument, string? Unit, double Value, string? Tag)> Stalls =>
        [.. _recorder.Measurements.Where(m => m.Instrument == KvTelemetry.Instruments.LoopStalls)];

    [Fact]
    public void ABatchShorterThanTheThreshold_IsNeitherCountedNorLogged()
    {
        Batch(Threshold - TimeSpan.FromMilliseconds(1));

        Assert.Empty(Stalls);
        Assert.Empty(_logger.Collector.GetSnapshot());
    }

    [Fact]
    public void AStall_IsCountedInSeconds_AndLoggedWithWhatTheBatchDid()
    {
        Batch(TimeSpan.FromMilliseconds(420), inputs: 7, applied: 300);

        var stall = Assert.Single(Stalls);
        Assert.Equal(0.42, stall.Value, 3);
        Assert.Equal("s", stall.Unit);
        // The fake clock moved while no collection could run: the pause that took the time was not the GC's.
        Assert.Equal("work", stall.Tag);
        var line = Assert.Single(_logger.Collector.GetSnapshot());
        Assert.Equal(LogLevel.Warning, line.Level);
        Assert.Contains("held 420 ms by one batch", line.Message);
        Assert.Contains("7 inputs, 300 entries applied", line.Message);
    }

    [Fact]
    public void StallsInQuickSuccession_AreAllCounted_ButLoggedOnceASecond_WithHowManyWentUnlogged()
    {
        Batch(TimeSpan.FromMilliseconds(100));
        Batch(TimeSpan.FromMilliseconds(200));
        Batch(TimeSpan.FromMilliseconds(300));
        _time.Advance(TimeSpan.FromSeconds(1));
        Batch(TimeSpan.FromMilliseconds(400));

        Assert.Equal(4, Stalls.Count);
        var lines = _logger.Collector.GetSnapshot();
        Assert.Equal(2, lines.Count);
        Assert.EndsWith("not logged since the last: 0", lines[0].Message);
        Assert.Contains("held 400 ms", lines[1].Message);
        Assert.EndsWith("not logged since the last: 2", lines[1].Message);
    }

    public void Dispose() => _recorder.Dispose();
}
