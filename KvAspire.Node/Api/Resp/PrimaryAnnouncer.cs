using KvAspire.Node.Cluster;
using KvAspire.Node.Consensus;
using KvAspire.Node.Telemetry;

namespace KvAspire.Node.Api.Resp;

/// <summary>
/// Tells this node's RESP subscribers that it has become primary, on the channel StackExchange.Redis
/// listens to (<c>__Booksleeve_MasterChanged</c>, its default <c>ConfigurationChannel</c>): a multiplexer
/// re-reads every node's role (INFO replication) when anything arrives there, so it follows a failover
/// with default options. The message is <c>*</c>, SE.Redis' "no particular endpoint".
/// </summary>
/// <remarks>
/// Only the new primary announces, once its own status says so: a secondary hears of the new primary
/// from its first heartbeat, which can leave before the primary's ROLE and INFO say master, and a
/// multiplexer that re-read the roles then would find no primary. The announcement is repeated (see
/// <see cref="Repeats"/>) because SE.Redis ignores one that arrives while it is already re-reading
/// the roles for another reason (measured: such a re-read waits for its next reconnect attempt to a
/// dead node, seconds away), and because during a step-down the old primary may still call itself
/// master for a moment.
/// </remarks>
public sealed class PrimaryAnnouncer(RaftHost host, RespPubSub pubSub, TimeProvider time, ILogger<PrimaryAnnouncer> logger) : BackgroundService
{
    public const string Channel = "__Booksleeve_MasterChanged";

    /// <summary>
    /// When the announcement is repeated after the first, while this node is still primary of that term:
    /// every 250 ms for 5 s. A client busy re-reading the roles when the primary was killed stays busy
    /// until its first reconnect attempt to the dead node fails, about 3 s after the kill (measured: it
    /// followed 3.9 s after an election when the repeats were sparser); the next repeat after that reaches
    /// it. Each makes every SE.Redis client re-read every node's role (a few small commands per node).
    /// </summary>
    public static readonly TimeSpan[] Repeats = [.. Enumerable.Range(1, 20).Select(i => TimeSpan.FromMilliseconds(250 * i))];

    private static readonly byte[] AnyEndpoint = "*"u8.ToArray();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            var announcedTerm = -1L;
            while (true)
            {
                var changed = host.RoleChanged;
                if (host.Status is { Role: Role.Primary, Term: var term } && term != announcedTerm)
                {
                    announcedTerm = term;
                    await AnnounceAsync(term, stoppingToken);
                    continue;
                }
                await changed.WaitAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task AnnounceAsync(long term, CancellationToken stoppingToken)
    {
        var started = time.GetTimestamp();
        for (var i = 0; ; i++)
        {
            var receivers = pubSub.Publish(Channel, AnyEndpoint);
            Log.PrimaryAnnounced(logger, host.Status.Node, term, Channel, receivers, i);
            if (i == Repeats.Length)
                return;
            var wait = Repeats[i] - time.GetElapsedTime(started);
            if (wait > TimeSpan.Zero)
                await Task.Delay(wait, time, stoppingToken);
            if (host.Status is not { Role: Role.Primary } status || status.Term != term)
                return;
        }
    }
}
