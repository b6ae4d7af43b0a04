namespace KvAspire.Node.StateMachine;

/// <summary>
/// The operations a log entry can carry, and the reads a transaction can hold. Persisted and replicated:
/// append-only, never renumber. Numbers in arguments are 8-byte little-endian integers unless said otherwise;
/// "max" is the primary's <c>Limits:MaxElementsPerKey</c> when it proposed, carried so every node enforces the same bound.
/// </summary>
public enum CommandOp : byte
{
    Set = 1,
    Delete = 2,
    /// <summary>Set only if the key is absent when the entry is applied (RESP <c>SET NX</c>).</summary>
    SetIfAbsent = 3,
    /// <summary>Set only if the key exists when the entry is applied (RESP <c>SET XX</c>).</summary>
    SetIfPresent = 4,
    /// <summary>SET with options. Args: deadline (0: none), flags (1 byte, <see cref="SetFlags"/>).</summary>
    SetWithOptions = 5,
    /// <summary>The primary's expiry: deletes each key in Args that is past its deadline at the entry's timestamp.</summary>
    DeleteExpired = 6,
    /// <summary>Args: deadline, condition (1 byte, <see cref="ExpireCondition"/>). A deadline already past deletes the key.</summary>
    Expire = 7,
    Persist = 8,
    /// <summary>Args: the increment.</summary>
    IncrementBy = 9,
    /// <summary>Args: the increment as decimal text.</summary>
    IncrementByFloat = 10,
    /// <summary>Value: what to append. Args: the most bytes a value may have (4 bytes).</summary>
    Append = 11,
    GetDelete = 12,
    /// <summary>MSETNX. Args: key, value, key, value...</summary>
    SetManyIfNoneExist = 13,
    /// <summary>GETEX with an option. Args: deadline (0: remove it).</summary>
    GetExpire = 14,
    /// <summary>Args: max (4 bytes), flags (1 byte: 1 = only if absent, 2 = reply OK), then field, value pairs.</summary>
    HashSet = 15,
    /// <summary>Args: fields.</summary>
    HashDelete = 16,
    /// <summary>Args: max (4 bytes), field, increment.</summary>
    HashIncrementBy = 17,
    /// <summary>Args: max (4 bytes), end (1 byte: 0 head, 1 tail), elements.</summary>
    ListPush = 18,
    /// <summary>Args: end, count (-1: none given, reply one element rather than an array).</summary>
    ListPop = 19,
    /// <summary>Args: count, element.</summary>
    ListRemove = 20,
    /// <summary>Args: index, element.</summary>
    ListSet = 21,
    /// <summary>Args: start, stop.</summary>
    ListTrim = 22,
    /// <summary>Args: max (4 bytes), members.</summary>
    SetAdd = 23,
    /// <summary>Args: members.</summary>
    SetRemove = 24,
    /// <summary>SPOP, as the primary decided it. Args: reply shape (1 byte: 0 one member, 1 an array), members.</summary>
    SetPop = 25,
    /// <summary>
    /// MULTI/EXEC, applied as one. Args: watch count (4 bytes); per watched key, key and expected revision
    /// (-1: absent); then each command's encoded payload. Any revision that differs aborts the whole.
    /// </summary>
    Transaction = 26,
    /// <summary>A read queued in a transaction, answered at apply time. Args: the <see cref="ReadOp"/> (1 byte), then its arguments.</summary>
    Read = 27,
    /// <summary>DEL of several keys in a transaction, which answers one count. Args: keys.</summary>
    DeleteMany = 28,
    /// <summary>MSET in a transaction, which answers one OK. Args: key, value, key, value...</summary>
    SetMany = 29,
    /// <summary>
    /// A write sent with an idempotency key, applied at most once per key within a window (see <see cref="Idempotency"/>).
    /// Args: the idempotency key, the request's fingerprint (8 bytes), the record's deadline, the write's encoded payload.
    /// </summary>
    Idempotent = 30,
    /// <summary>
    /// SPOP as the primary chose it, with its chance. Args: reply shape (1 byte: 0 one member, 1 an array), count wanted,
    /// seed, chosen members. A chosen member that an earlier entry took is replaced by one drawn from the seed, so two pops
    /// in flight both answer members while any are left (<see cref="SetPop"/>, older, answers only the chosen ones left).
    /// </summary>
    SetPopWithSeed = 31,
    /// <summary>ZADD and ZINCRBY. Args: max (4 bytes), flags (1 byte, <see cref="ZAddFlags"/>), then score (8 bytes, IEEE), member pairs.</summary>
    SortedSetAdd = 32,
    /// <summary>Args: members.</summary>
    SortedSetRemove = 33,
    /// <summary>ZPOPMIN and ZPOPMAX. Args: end (1 byte: 0 lowest scores, 1 highest), count (-1: none given).</summary>
    SortedSetPop = 34,
    /// <summary>ZREMRANGEBYRANK, ZREMRANGEBYSCORE and ZREMRANGEBYLEX. Args: the range (<see cref="SortedSetRange"/>).</summary>
    SortedSetRemoveRange = 35,
}

[Flags]
public enum SetFlags : byte
{
    None = 0,
    IfAbsent = 1,
    IfPresent = 2,
    KeepTtl = 4,
    /// <summary>Reply the previous value (SET ... GET, GETSET).</summary>
    Get = 8,
}

/// <summary>ZADD's options; ZINCRBY is ZADD with <see cref="Increment"/>.</summary>
[Flags]
public enum ZAddFlags : byte
{
    None = 0,
    /// <summary>NX: only add new members.</summary>
    IfAbsent = 1,
    /// <summary>XX: only update members that exist.</summary>
    IfPresent = 2,
    /// <summary>GT: only update a score to a greater one (new members are still added).</summary>
    IfGreater = 4,
    IfLess = 8,
    /// <summary>CH: answer how many members were added or changed, not only added.</summary>
    Changed = 16,
    /// <summary>INCR: add the score to the member's, and answer the result.</summary>
    Increment = 32,
}

/// <summary>EXPIRE's NX, XX, GT and LT: every one given must hold.</summary>
[Flags]
public enum ExpireCondition : byte
{
    Always = 0,
    /// <summary>Only if the key has no deadline.</summary>
    IfNone = 1,
    /// <summary>Only if the key has a deadline.</summary>
    IfSome = 2,
    /// <summary>Only if the new deadline is later (no deadline counts as infinitely late).</summary>
    IfLater = 4,
    IfEarlier = 8,
}
