using System.Threading.Channels;
using KvAspire.Node.Cluster;
using KvAspire.Node.Consensus;
using KvAspire.Node.StateMachine;

namespace KvAspire.Node.Api;

/// <summary>
/// The only way keys leave the store by time: on the primary, keys past their deadline are deleted through
/// the log, as Redis' primary does (replicas never expire keys by themselves, so every node stays identical).
/// Keys a read found expired are deleted at the next tick; a sweep walks at most <see cref="WalkPerTick"/>
/// keys a tick, resuming where it stopped, so a pass over a million keys takes about a second and costs the
/// host loop one entry per <see cref="KeysPerEntry"/> expired keys. Each entry deletes only keys still past
/// their deadline when it applies, judged by the timestamp it carries.
/// </summary>
public sealed class ExpiredKeys(RaftHost host, KvStore store, TimeProvider time) : BackgroundService
{
    public static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(100);
    public const int WalkPerTick = 100_000;
    public const int KeysPerEntry = 10_000;

    private readonly Channel<string> _noticed = Channel.CreateBounded<string>(
        new BoundedChannelOptions(KeysPerEntry) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });
    private IEnumerator<KeyValuePair<string, StoredValue>>? _walk;

    /// <summary>A read on the primary found <paramref name="key"/> past its deadline. When many are, the sweep finds the rest.</summary>
    public void Noticed(string key) => _noticed.Writer.TryWrite(key);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Tick, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            if (host.Status.Role != Role.Primary)
            {
                while (_noticed.Reader.TryRead(out _))
                {
                }
                continue;
            }
            await SweepOnceAsync(stoppingToken);
        }
    }

    /// <summary>One tick's work: propose the deletion of what reads noticed and what the walk finds.</summary>
    public async Task SweepOnceAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var expired = new HashSet<string>(StringComparer.Ordinal);
        while (expired.Count < KeysPerEntry && _noticed.Reader.TryRead(out var key))
        {
            if (store.Get(key)?.IsExpiredAt(now) == true)
                expired.Add(key);
        }
        _walk ??= store.Entries.GetEnumerator();
        for (var walked = 0; walked < WalkPerTick; walked++)
        {
            if (!_walk.MoveNext())
            {
                _walk.Dispose();
                _walk = null;
                break;
            }
            if (_walk.Current.Value.IsExpiredAt(now))
                expired.Add(_walk.Current.Key);
            if (expired.Count == KeysPerEntry)
                await ProposeAsync(expired, now, cancellationToken);
        }
        await ProposeAsync(expired, now, cancellationToken);
    }

    /// <summary>Failures need no retry here: a key not deleted is still past its deadline at the next pass.</summary>
    private async Task ProposeAsync(HashSet<string> keys, long now, CancellationToken cancellationToken)
    {
        if (keys.Count == 0)
            return;
        var command = KvCommand.Of(CommandOp.DeleteExpired, "", now, [.. keys.Select(key => (ReadOnlyMemory<byte>)CommandArgs.Text(key))]);
        keys.Clear();
        cancellationToken.ThrowIfCancellationRequested(); // stopping: the next primary's sweep finds these keys
        await host.ProposeAsync(command.Encode(), Acknowledge.Quorum);
    }
}
