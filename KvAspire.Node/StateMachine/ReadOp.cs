namespace KvAspire.Node.StateMachine;

/// <summary>
/// The reads a client may queue in a transaction (carried by <see cref="CommandOp.Read"/>); outside one the
/// primary answers them directly. Persisted inside transaction entries: append-only, never renumber.
/// </summary>
public enum ReadOp : byte
{
    Get = 1,
    StrLen = 2,
    /// <summary>Args: further keys.</summary>
    Exists = 3,
    Type = 4,
    Ttl = 5,
    PTtl = 6,
    ExpireTime = 7,
    PExpireTime = 8,
    /// <summary>Args: further keys.</summary>
    MGet = 9,
    /// <summary>Args: field.</summary>
    HGet = 10,
    /// <summary>Args: fields.</summary>
    HMGet = 11,
    HGetAll = 12,
    /// <summary>Args: field.</summary>
    HExists = 13,
    HLen = 14,
    HKeys = 15,
    HVals = 16,
    /// <summary>Args: start, stop.</summary>
    LRange = 17,
    LLen = 18,
    /// <summary>Args: index.</summary>
    LIndex = 19,
    SMembers = 20,
    /// <summary>Args: member.</summary>
    SIsMember = 21,
    /// <summary>Args: members.</summary>
    SMIsMember = 22,
    SCard = 23,
    /// <summary>Args: member.</summary>
    ZScore = 24,
    /// <summary>Args: members.</summary>
    ZMScore = 25,
    ZCard = 26,
    /// <summary>ZCOUNT and ZLEXCOUNT. Args: the range (<see cref="SortedSetRange"/>).</summary>
    ZCount = 27,
    /// <summary>Args: member.</summary>
    ZRank = 28,
    /// <summary>Args: member.</summary>
    ZRevRank = 29,
    /// <summary>ZRANGE and its relatives. Args: the range (<see cref="SortedSetRange"/>).</summary>
    ZRange = 30,
}
