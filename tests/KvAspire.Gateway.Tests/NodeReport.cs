using System.Text.Json;
using KvAspire.Contracts;
using KvAspire.Node.Consensus;

namespace KvAspire.Gateway.Tests;

/// <summary>A fake node's <c>/cluster</c> answer: the real contract, with what the gateway reads set and the rest empty.</summary>
internal static class NodeReport
{
    public static ClusterStatus Of(string node, Role role, long term, string? primary,
        IReadOnlyList<string>? voters = null, IReadOnlyList<string>? learners = null, bool membershipChanging = false) =>
        new(node, role, ClusterState.Normal, term, primary, CommitIndex: 0, AppliedIndex: 0, AppliedDigest: "0", LastLogIndex: 0,
            LastLogTerm: 0, ProcessId: 0, ServesReads: role == Role.Primary, Keys: 0, LogBytes: 0, LogStart: 0, Sync: null, LastSync: null,
            Peers: [])
        {
            Voters = voters ?? [],
            Learners = learners ?? [],
            MembershipChanging = membershipChanging,
        };

    public static string Json(string node, Role role, long term, string? primary) =>
        JsonSerializer.Serialize(Of(node, role, term, primary), JsonSerializerOptions.Web);
}
