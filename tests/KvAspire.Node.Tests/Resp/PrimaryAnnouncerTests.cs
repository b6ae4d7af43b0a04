using System.Buffers;
using System.Text;
using KvAspire.Node.Api.Resp;
using KvAspire.Node.Consensus;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace KvAspire.Node.Tests.Resp;

/// <summary>A node that becomes primary tells StackExchange.Redis' configuration channel, and repeats it on schedule.</summary>
public sealed class PrimaryAnnouncerTests : IAsyncLifetime
{
    /// <summary>Generous: a one-node election on a busy machine, and each announcement after the fake clock moves.</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(50);
    private static readonly string Announcement =
        $"*3\r\n$7\r\nmessage\r\n${PrimaryAnnouncer.Channel.Length}\r\n{PrimaryAnnouncer.Channel}\r\n$1\r\n*\r\n";

    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "kvaspire-announce-" + Guid.NewGuid().ToString("N"));
    private readonly FakeTimeProvider _time = new();
    private readonly RespPubSub _hub = new();
    private readonly ArrayBufferWriter<byte> _received = new();
    private TestHost _node = null!;
    private PrimaryAnnouncer _announcer = null!;
    private RespSubscriber _subscriber = null!;

    public async Task InitializeAsync()
    {
        _subscriber = new RespSubscriber(_hub, () => { });
        _hub.Subscribe(_subscriber, PrimaryAnnouncer.Channel);
        _node = TestHost.Create("n1", _dataDirectory, new ConfigurationBuilder().Build(), new NoPeers());
        _announcer = new PrimaryAnnouncer(_node.Host, _hub, _time, NullLogger<PrimaryAnnouncer>.Instance);
        await _node.Host.StartAsync(CancellationToken.None);
        await _announcer.StartAsync(CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await _announcer.StopAsync(CancellationToken.None);
        await _node.Host.StopAsync(CancellationToken.None);
        _node.Host.Dispose();
        Directory.Delete(_dataDirectory, recursive: true);
    }

    [Fact]
    public async Task NewPrimary_AnnouncesAtOnce_ThenEvery250msFor5s_ThenStops()
    {
        await AnnouncementsAsync(1);
        Assert.Equal(Role.Primary, _node.Host.Status.Role);
        var first = _time.GetUtcNow();

        for (var repeat = 1; repeat <= PrimaryAnnouncer.Repeats.Length; repeat++)
        {
            // In steps, not one jump of 250 ms: the announcer may take its timer's due time just before a step and set
            // the timer just after it (a loaded machine), and a single jump would leave that timer never due.
            while (Count() < 1 + repeat)
            {
                Assert.True(_time.GetUtcNow() - first < PrimaryAnnouncer.Repeats[repeat - 1] + TimeSpan.FromMilliseconds(250),
                    $"announcement {1 + repeat} was not made within 250 ms (fake) of its time");
                _time.Advance(Step);
                // Give a due timer's announcement a moment of real time before the next step.
                var settle = System.Diagnostics.Stopwatch.StartNew();
                while (Count() < 1 + repeat && settle.ElapsedMilliseconds < 50)
                    await Task.Delay(1);
            }
            Assert.Equal(1 + repeat, Count());
            Assert.True(_time.GetUtcNow() - first >= PrimaryAnnouncer.Repeats[repeat - 1],
                $"announcement {1 + repeat} came before its time");
        }
        _time.Advance(TimeSpan.FromSeconds(60));

        Assert.Equal(20, PrimaryAnnouncer.Repeats.Length);
        Assert.Equal(TimeSpan.FromSeconds(5), PrimaryAnnouncer.Repeats[^1]);
        Assert.Equal(1 + PrimaryAnnouncer.Repeats.Length, Count());
    }

    /// <summary>Waits until exactly <paramref name="expected"/> announcements have arrived.</summary>
    private async Task AnnouncementsAsync(int expected)
    {
        using var wait = new CancellationTokenSource(Patience);
        while (Count() < expected)
            await Task.Delay(10, wait.Token);
        Assert.Equal(expected, Count());
    }

    private int Count()
    {
        _subscriber.WritePending(_received);
        return Encoding.ASCII.GetString(_received.WrittenSpan).Split(Announcement).Length - 1;
    }
}
