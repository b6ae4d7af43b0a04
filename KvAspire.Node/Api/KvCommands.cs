using System.Diagnostics;
using KvAspire.Node.Cluster;
using KvAspire.Node.Consensus;
using KvAspire.Node.StateMachine;
using KvAspire.Node.Telemetry;
using Microsoft.Extensions.Options;

namespace KvAspire.Node.Api;

/// <summary>A write's idempotency key and its request's fingerprint (see <see cref="Idempotency"/>).</summary>
public sealed record IdempotentWrite(string Key, ulong Fingerprint);

/// <summary>How a read ended.</summary>
public abstract record ReadOutcome
{
    private ReadOutcome() { }

    public sealed record Found(StringValue Value) : ReadOutcome;
    public sealed record NotFound : ReadOutcome;
    public sealed record NotPrimary(string? Primary, long Term) : ReadOutcome;
    /// <summary>This node believes it is primary but could not confirm it with a majority in time.</summary>
    public sealed record NotReady(long Term) : ReadOutcome;
    /// <summary>Refused at once: the primary's queue is full. Nothing was read; retry shortly.</summary>
    public sealed record Overloaded : ReadOutcome;
    /// <summary>A number: how many keys exist.</summary>
    public sealed record Count(long Value) : ReadOutcome;
    /// <summary>The values of several keys, null where a key has none.</summary>
    public sealed record Values(IReadOnlyList<StringValue?> Items) : ReadOutcome;
    /// <summary>One page of a key scan.</summary>
    public sealed record Page(KeyPage Keys) : ReadOutcome;
    /// <summary>What a read command answered (or WRONGTYPE when GET finds a key of another kind).</summary>
    public sealed record Reply(CommandReply Value) : ReadOutcome;
}

/// <summary>
/// The one command layer behind every front end: validated keys, writes through the log, reads
/// only on a primary that has caught up. Front ends translate outcomes into their own errors. Reads see a
/// key past its deadline as absent at once (by this node's clock) and have it deleted through the log.
/// </summary>
public sealed class KvCommands(RaftHost host, KvStore store, ExpiredKeys expired, IOptions<ReplicationOptions> replication,
    NodeMetrics metrics, TimeProvider time)
{
    private readonly ReplicationOptions _replication = replication.Value;

    /// <summary>This node's clock as the log records it: relative expiry becomes a deadline from it.</summary>
    public long NowMs => time.GetUtcNow().ToUnixTimeMilliseconds();

    public Task<WriteOutcome> SetAsync(string key, ReadOnlyMemory<byte> value, string? contentType,
        Acknowledge? acknowledge, CancellationToken cancellationToken, IdempotentWrite? idempotent = null) =>
        WriteAsync("SET", KvCommand.Set(key, value, contentType, time.GetUtcNow().ToUnixTimeMilliseconds()), acknowledge,
            cancellationToken, idempotent);

    /// <summary>
    /// A set with conditions decided when it applies: <paramref name="flags"/> (only if absent, only if present), a
    /// time to live, and <paramref name="revision"/>, the revision the key must still have (<see cref="Transaction.Absent"/>:
    /// it must not exist), as HTTP's If-Match and If-None-Match ask. Acknowledged under Quorum: only the applied entry
    /// can tell whether the conditions held; its reply is null (or a null array, for a revision) when they did not.
    /// </summary>
    public Task<WriteOutcome> SetIfAsync(string key, ReadOnlyMemory<byte> value, string? contentType, TimeSpan? ttl, SetFlags flags,
        long? revision, CancellationToken cancellationToken, IdempotentWrite? idempotent = null)
    {
        var now = NowMs;
        var deadline = ttl is { } t ? now + (long)Math.Ceiling(t.TotalMilliseconds) : 0;
        var command = new KvCommand(CommandOp.SetWithOptions, key, value, contentType, now)
        {
            Args = [CommandArgs.Long(deadline), CommandArgs.Byte((byte)flags)],
        };
        return WriteAsync("SET", revision is { } r ? Transaction.Create([KeyValuePair.Create(key, r)], [command], now) : command,
            Acknowledge.Quorum, cancellationToken, idempotent);
    }

    /// <summary>A delete only if the key's revision is still <paramref name="revision"/> when it applies (null array if not).</summary>
    public Task<WriteOutcome> DeleteIfAsync(string key, long revision, CancellationToken cancellationToken, IdempotentWrite? idempotent = null)
    {
        var now = NowMs;
        return WriteAsync("DELETE", Transaction.Create([KeyValuePair.Create(key, revision)], [KvCommand.Delete(key, now)], now),
            Acknowledge.Quorum, cancellationToken, idempotent);
    }

    /// <summary>A write whose client waits for what it answers: always acknowledged under Quorum, once applied.</summary>
    public Task<WriteOutcome> WriteAsync(string name, KvCommand command, CancellationToken cancellationToken) =>
        WriteAsync(name, command, Acknowledge.Quorum, cancellationToken);

    /// <summary>A read command, answered as of this node's clock once this node is confirmed primary.</summary>
    public Task<ReadOutcome> ReadAsync(string name, ReadOp op, string key, IReadOnlyList<ReadOnlyMemory<byte>> args,
        CancellationToken cancellationToken, SharedReadPermit? shared = null) =>
        ReadAsync(name, key, () =>
        {
            var now = NowMs;
            if (store.Get(key)?.IsExpiredAt(now) == true)
                expired.Noticed(key);
            return new ReadOutcome.Reply(store.Read(op, key, args, now));
        }, cancellationToken, shared);

    /// <summary>SPOP and SRANDMEMBER's members, chosen here (see <see cref="SetSampling"/>): an array, or WRONGTYPE.</summary>
    public Task<ReadOutcome> ChooseMembersAsync(string name, string key, long wanted, bool distinct, CancellationToken cancellationToken,
        SharedReadPermit? shared = null) =>
        ReadAsync(name, key, () => new ReadOutcome.Reply(Live(key) switch
        {
            null => CommandReply.EmptyArray,
            SetValue set => CommandReply.Of(SetSampling.Choose(set.Members, wanted, distinct).Select(System.Text.Encoding.UTF8.GetBytes)),
            _ => ReplyErrors.WrongType,
        }), cancellationToken, shared);

    /// <summary>
    /// The revision WATCH records. Not confirmed with a majority: a stale one can only make the transaction
    /// abort, since the state machine compares it with the key's revision when the transaction applies.
    /// </summary>
    public long WatchRevision(string key) => Transaction.RevisionOf(Live(key));

    /// <summary>The key's value as this node sees it now: absent once past its deadline (and then on its way out).</summary>
    public StoredValue? Live(string key)
    {
        var value = store.Get(key);
        // Reads of keys without a deadline, most of them, never look at the clock.
        if (value is not { DeadlineMs: not 0 } || !value.IsExpiredAt(NowMs))
            return value;
        expired.Noticed(key);
        return null;
    }

    public Task<WriteOutcome> DeleteAsync(string key, Acknowledge? acknowledge, CancellationToken cancellationToken,
        IdempotentWrite? idempotent = null) =>
        WriteAsync("DELETE", KvCommand.Delete(key, time.GetUtcNow().ToUnixTimeMilliseconds()), acknowledge, cancellationToken, idempotent);

    /// <summary>
    /// A set that happens only if <paramref name="condition"/> (<see cref="CommandOp.SetIfAbsent"/> or
    /// <see cref="CommandOp.SetIfPresent"/>) holds when the entry is applied. Always acknowledged under
    /// Quorum: only the applied entry can tell whether the condition held.
    /// </summary>
    public Task<WriteOutcome> SetIfAsync(CommandOp condition, string key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken) =>
        WriteAsync("SET", KvCommand.SetIf(condition, key, value, null, time.GetUtcNow().ToUnixTimeMilliseconds()), Acknowledge.Quorum,
            cancellationToken);

    /// <summary>
    /// Sets several keys, one log entry each, proposed in order: acknowledged when every entry is. Not
    /// atomic: a failure or a failover can leave some of the keys written (the first failure is returned).
    /// </summary>
    /// <summary>Deletes several keys, one log entry each; <c>Removed</c> counts the keys that existed.</summary>
    public async Task<(WriteOutcome Outcome, int Removed)> DeleteManyAsync(IReadOnlyList<string> keys, Acknowledge? acknowledge,
        CancellationToken cancellationToken)
    {
        var writes = keys.Select(key => DeleteAsync(key, acknowledge, cancellationToken)).ToList();
        return Combine(await Task.WhenAll(writes));
    }

    /// <remarks>The reads take an optional <see cref="SharedReadPermit"/>: reads a client pipelined share one confirmation.</remarks>
    public Task<ReadOutcome> GetAsync(string key, CancellationToken cancellationToken, SharedReadPermit? shared = null) =>
        ReadAsync("GET", key, () => Live(key) switch
        {
            null => new ReadOutcome.NotFound(),
            StringValue value => new ReadOutcome.Found(value),
            _ => new ReadOutcome.Reply(ReplyErrors.WrongType),
        }, cancellationToken, shared);

    public Task<ReadOutcome> GetManyAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken, SharedReadPermit? shared = null) =>
        ReadAsync("MGET", null, () => new ReadOutcome.Values(keys.Select(key => Live(key) as StringValue).ToList()), cancellationToken, shared);

    public Task<ReadOutcome> CountExistingAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken, SharedReadPermit? shared = null) =>
        ReadAsync("EXISTS", null, () => new ReadOutcome.Count(keys.Count(key => Live(key) is not null)), cancellationToken, shared);

    public Task<ReadOutcome> CountKeysAsync(CancellationToken cancellationToken) =>
        ReadAsync("DBSIZE", null, () => new ReadOutcome.Count(store.Count), cancellationToken);

    /// <param name="kind">Only keys holding this kind of value (SCAN ... TYPE); null: any.</param>
    public Task<ReadOutcome> ScanAsync(ulong cursor, int count, Func<string, bool>? match, ValueKind? kind, CancellationToken cancellationToken) =>
        ReadAsync("SCAN", null, () => new ReadOutcome.Page(KeyScan.Page(store.Keys, cursor, count,
            key => (match is null || match(key)) && Live(key) is { } value && (kind is null || value.Kind == kind))), cancellationToken);

    /// <summary>
    /// HSCAN, SSCAN and ZSCAN: one page of a hash's fields (each followed by its value, when <paramref name="withValues"/>),
    /// of a set's members or of a sorted set's members (each followed by its score), chosen as SCAN chooses keys (<see cref="KeyScan"/>); answered as Redis does, the next cursor
    /// then the page. A missing key is an empty, finished scan; a key of another kind is WRONGTYPE.
    /// </summary>
    public Task<ReadOutcome> ScanCollectionAsync(string name, ValueKind kind, string key, ulong cursor, int count, Func<string, bool>? match,
        bool withValues, CancellationToken cancellationToken, SharedReadPermit? shared = null) =>
        ReadAsync(name, key, () => new ReadOutcome.Reply(Live(key) switch
        {
            null => ScanReply(new KeyPage(0, []), _ => []),
            HashValue hash when kind == ValueKind.Hash => ScanReply(KeyScan.Page(hash.Fields.Keys, cursor, count, match),
                field => withValues ? [Bulk(field), new CommandReply.Bulk(hash.Fields[field])] : [Bulk(field)]),
            SetValue set when kind == ValueKind.Set => ScanReply(KeyScan.Page(set.Members, cursor, count, match), member => [Bulk(member)]),
            SortedSetValue set when kind == ValueKind.ZSet => ScanReply(KeyScan.Page(set.Scores.Keys, cursor, count, match),
                member => [Bulk(member), new CommandReply.Bulk(ScoreText.Utf8(set.Scores[member]))]),
            _ => ReplyErrors.WrongType,
        }), cancellationToken, shared);

    private static CommandReply.Bulk Bulk(string text) => new(System.Text.Encoding.UTF8.GetBytes(text));

    private static CommandReply ScanReply(KeyPage page, Func<string, CommandReply[]> items) => new CommandReply.Array(
        [Bulk(page.Cursor.ToString(System.Globalization.CultureInfo.InvariantCulture)), new CommandReply.Array(page.Keys.SelectMany(items).ToList())]);

    /// <summary>
    /// Waits until <paramref name="wanted"/> secondaries have stored the log up to <paramref name="index"/>, or
    /// <paramref name="timeout"/> passes (null: no limit); returns how many have. Null when this node is not primary.
    /// </summary>
    public Task<int?> WaitForSecondariesAsync(long index, int wanted, TimeSpan? timeout, CancellationToken cancellationToken) =>
        SecondaryAcks.WaitAsync(host, index, wanted, timeout, time, cancellationToken);

    private async Task<ReadOutcome> ReadAsync(string name, string? key, Func<ReadOutcome> read, CancellationToken cancellationToken,
        SharedReadPermit? shared = null)
    {
        var started = Stopwatch.GetTimestamp();
        using var activity = KvTelemetry.StartCommand(name);
        if (key is not null)
            activity?.SetTag("db.key", key);
        // ReadIndex: served only once a majority has confirmed this node is still primary, so a deposed
        // primary that has not noticed yet never answers from stale state. A client already gone starts no round.
        cancellationToken.ThrowIfCancellationRequested();
        var permit = shared is null
            ? host.ReadAsync()
            : shared.GetOrRequest(host.ReadAsync);
        ReadOutcome outcome = await permit switch
        {
            ReadPermit.Granted => read(),
            ReadPermit.NotPrimary n => new ReadOutcome.NotPrimary(n.Primary, n.Term),
            ReadPermit.Overloaded => new ReadOutcome.Overloaded(),
            _ => new ReadOutcome.NotReady(host.Status.Term),
        };
        Record(name, outcome.GetType().Name, started, activity);
        return outcome;
    }

    /// <summary>The first failure among <paramref name="outcomes"/>, else the last write; and how many keys existed before.</summary>
    private static (WriteOutcome Outcome, int Existed) Combine(WriteOutcome[] outcomes)
    {
        var failure = outcomes.FirstOrDefault(o => o is not WriteOutcome.Written);
        var existed = outcomes.Count(o => o is WriteOutcome.Written { Existed: true });
        return (failure ?? outcomes.MaxBy(o => ((WriteOutcome.Written)o).Index)!, existed);
    }

    /// <param name="idempotent">Set: the write is applied at most once for its idempotency key within
    /// <see cref="ReplicationOptions.IdempotencyWindow"/>. Acknowledged under Quorum, since only the applied entry can tell
    /// whether it ran or repeated an earlier write.</param>
    private async Task<WriteOutcome> WriteAsync(string name, KvCommand command, Acknowledge? acknowledge, CancellationToken cancellationToken,
        IdempotentWrite? idempotent = null)
    {
        var started = Stopwatch.GetTimestamp();
        using var activity = KvTelemetry.StartCommand(name);
        activity?.SetTag("db.key", command.Key);
        var mode = idempotent is null ? acknowledge ?? _replication.Acknowledge : Acknowledge.Quorum;
        if (idempotent is not null)
            command = Idempotency.Create(idempotent.Key, idempotent.Fingerprint,
                command.TimestampMs + (long)_replication.IdempotencyWindow.TotalMilliseconds, command);
        // Under Primary acknowledgement the reply comes before the entry is applied, so whether the key
        // existed is read now: exact unless another write to the same key is in flight.
        var existedBefore = mode == Acknowledge.Primary ? Live(command.Key) is not null : (bool?)null;
        // A client that is gone before its write is proposed has nothing written; once proposed, the write is waited
        // for (its deadline bounds the wait), since its outcome is decided whether or not anyone hears it.
        cancellationToken.ThrowIfCancellationRequested();
        var outcome = await host.ProposeAsync(command.Encode(), mode);
        if (outcome is WriteOutcome.Written { Existed: null } written)
            outcome = written with { Existed = existedBefore };
        if (outcome is WriteOutcome.Written acknowledged)
            activity?.AddEvent(new ActivityEvent(mode == Acknowledge.Quorum ? "commit" : "appended", tags: new ActivityTagsCollection
            {
                ["kv.index"] = acknowledged.Index,
                ["kv.term"] = acknowledged.Term,
            }));
        Record(name, outcome.GetType().Name, started, activity);
        return outcome;
    }

    private void Record(string command, string result, long started, Activity? activity)
    {
        metrics.CommandCompleted(command, result, Stopwatch.GetElapsedTime(started));
        activity?.SetTag("kv.result", result);
    }
}
