namespace KvAspire.IntegrationTests;

/// <summary>A node's <c>GET /cluster</c> answer, as the tests read it.</summary>
public sealed record NodeStatus(
    string Node, string Role, string State, long Term, string? Primary, long CommitIndex, long AppliedIndex,
    string AppliedDigest, long LastLogIndex, long LastLogTerm, int ProcessId, bool ServesReads, int Keys);

/// <summary>The gateway's <c>GET /cluster</c> answer (only what the tests need).</summary>
public sealed record GatewayStatus(string? Primary, long Term);
