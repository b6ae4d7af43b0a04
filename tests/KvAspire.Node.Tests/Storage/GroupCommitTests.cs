using System.Collections.Concurrent;
using KvAspire.Node.Storage;

namespace KvAspire.Node.Tests.Storage;

/// <summary>The group commit's thread: every write handed to it runs, in order, before the sync that reports them.</summary>
public sealed class GroupCommitTests
{
    /// <summary>Generous: how long a test waits for the thread's report.</summary>
    private static readonly TimeSpan ReportTimeout = TimeSpan.FromSeconds(30);

    private readonly BlockingCollection<(long Index, long Term, Exception? Failure)> _reports = [];
    private readonly ConcurrentQueue<string> _io = new();

    private GroupCommit Open() => new((index, term, failure) => _reports.Add((index, term, failure)));

    private (long Index, long Term, Exception? Failure) NextReport()
    {
        Assert.True(_reports.TryTake(out var report, ReportTimeout), $"no durability report within {ReportTimeout}");
        return report;
    }

    private LogWrite Work(string name, bool failWrite = false) => new(
        () =>
        {
            _io.Enqueue($"write {name}");
            if (failWrite)
                throw new IOException("pwrite: no space left on device");
        },
        () => _io.Enqueue($"sync {name}"));

    /// <summary>A first write that holds the thread, so that the requests after it queue up behind it.</summary>
    private static void Hold(ManualResetEventSlim entered, ManualResetEventSlim release)
    {
        entered.Set();
        Assert.True(release.Wait(ReportTimeout));
    }

    [Fact]
    public void WritesRequestedWhileTheThreadIsBusy_AllRunInOrder_BeforeOneSyncCoversThem()
    {
        using var entered = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        using (var commit = Open())
        {
            commit.Request(new LogWrite(() => Hold(entered, release), () => _io.Enqueue("sync 1")), 1, 1);
            Assert.True(entered.Wait(ReportTimeout), "the first write did not start");
            commit.Request(Work("2"), 2, 1);
            commit.Request(Work("3"), 3, 1);
            release.Set();

            Assert.Equal((1, 1, null), NextReport());
            Assert.Equal((3, 1, null), NextReport());
        }

        Assert.Equal(["sync 1", "write 2", "write 3", "sync 3"], _io);
    }

    [Fact]
    public void AFailedWrite_IsReported_AndTheWritesAfterItStillRun()
    {
        using var entered = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        using (var commit = Open())
        {
            commit.Request(new LogWrite(() => Hold(entered, release), () => { }), 1, 1);
            Assert.True(entered.Wait(ReportTimeout), "the first write did not start");
            commit.Request(Work("2", failWrite: true), 2, 1);
            commit.Request(Work("3"), 3, 1);
            release.Set();

            Assert.Null(NextReport().Failure);
            var (index, _, failure) = NextReport();
            Assert.Equal(3, index);
            Assert.IsType<IOException>(failure);
        }

        // Each write releases its buffer and whoever waits for the writes to finish, so none is skipped; no sync claims them.
        Assert.Equal(["write 2", "write 3"], _io);
    }

    [Fact]
    public void Dispose_RunsTheWritesAndTheSyncStillWaiting()
    {
        using (var commit = Open())
            commit.Request(Work("1"), 1, 1);

        Assert.Equal(["write 1", "sync 1"], _io);
        Assert.Equal((1, 1, null), NextReport());
    }
}
