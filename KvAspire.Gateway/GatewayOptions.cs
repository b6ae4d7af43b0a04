namespace KvAspire.Gateway;

/// <summary>Settings under <c>Gateway:</c>.</summary>
public sealed class GatewayOptions
{
    public const string Section = "Gateway";

    /// <summary>How long a node holds the gateway's long poll of its <c>/cluster/changes</c> when nothing changes. A change
    /// is seen at once whatever this is; it bounds how late a hung node is noticed (with <see cref="PollTimeout"/>), at one
    /// request per node per interval.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>A node that has not answered a poll this long after its <see cref="PollInterval"/> counts as unreachable.</summary>
    public TimeSpan PollTimeout { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// Request bodies up to this size are buffered so a write refused with 421 can be re-sent to the
    /// named primary; matches the node's value limit (16 MiB).
    /// </summary>
    public long MaxRetriedBodyBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>Idle time after which a forwarded request to a node is abandoned (YARP's ActivityTimeout).</summary>
    public TimeSpan ForwardActivityTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The port of the gateway's Redis-protocol endpoint, which forwards each connection to the primary's;
    /// unset: no such endpoint. Under the AppHost: 6378, the port below node1's.
    /// </summary>
    public int? RespPort { get; set; }

    /// <summary>How long a new RESP connection may wait for a primary it can reach (during an election) before it is refused.</summary>
    public TimeSpan RespPrimaryWait { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long connecting to the primary's RESP port may take before the gateway counts it as unreachable.</summary>
    public TimeSpan RespConnectTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The client API of a node that no <c>services:</c> entry names, with <c>{id}</c> standing for its name
    /// (<c>http://{id}.kv-peers:8080</c>): the founding members of <c>Cluster:Members</c> and every member added later.
    /// Unset: the gateway knows only the <c>services:</c> entries.</summary>
    public string? NodeAddressTemplate { get; set; }

    /// <summary>The RESP endpoint of such a node (<c>tcp://{id}.kv-peers:6379</c>); unset: they have none.</summary>
    public string? NodeRespTemplate { get; set; }

    public void Validate()
    {
        Require(NodeAddressTemplate is null || NodeTemplate.IsValidAddress(NodeAddressTemplate),
            $"{Section}:NodeAddressTemplate must be an absolute http(s) URI containing {{id}} (http://{{id}}.kv-peers:8080); got '{NodeAddressTemplate}'.");
        Require(NodeRespTemplate is null || NodeTemplate.IsValidResp(NodeRespTemplate),
            $"{Section}:NodeRespTemplate must be an absolute URI with a port containing {{id}} (tcp://{{id}}.kv-peers:6379); got '{NodeRespTemplate}'.");
        Require(NodeRespTemplate is null || NodeAddressTemplate is not null,
            $"{Section}:NodeRespTemplate needs {Section}:NodeAddressTemplate: a node is known by its client API first.");
        Require(RespPort is null or > 0 and < 65536,
            $"{Section}:RespPort must be a TCP port (1-65535), or unset for no RESP endpoint; got {RespPort}.");
        Require(RespPrimaryWait > TimeSpan.Zero && RespPrimaryWait <= TimeSpan.FromMinutes(5),
            $"{Section}:RespPrimaryWait must be between 0 and 00:05:00; got {RespPrimaryWait}.");
        Require(RespConnectTimeout > TimeSpan.Zero && RespConnectTimeout <= TimeSpan.FromSeconds(30),
            $"{Section}:RespConnectTimeout must be between 0 and 00:00:30; got {RespConnectTimeout}.");
        Require(PollInterval > TimeSpan.Zero && PollInterval <= TimeSpan.FromSeconds(60),
            $"{Section}:PollInterval must be between 0 and 00:01:00 (the longest wait a node grants); got {PollInterval}.");
        Require(PollTimeout > TimeSpan.Zero && PollTimeout <= TimeSpan.FromSeconds(30),
            $"{Section}:PollTimeout must be between 0 and 00:00:30; got {PollTimeout}.");
        Require(MaxRetriedBodyBytes >= 0,
            $"{Section}:MaxRetriedBodyBytes must be >= 0; got {MaxRetriedBodyBytes}.");
        Require(ForwardActivityTimeout > TimeSpan.Zero,
            $"{Section}:ForwardActivityTimeout must be positive; got {ForwardActivityTimeout}.");
    }

    private static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new InvalidOperationException(message);
        }
    }
}
