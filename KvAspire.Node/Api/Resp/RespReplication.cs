using System.Buffers;
using System.Globalization;
using System.Text;
using KvAspire.Node.Cluster;
using KvAspire.Node.Consensus;
using static KvAspire.Node.Api.Resp.RespWriter;

namespace KvAspire.Node.Api.Resp;

/// <summary>
/// This node's replication as Redis reports it (ROLE, INFO replication), read from one
/// <see cref="ClusterStatus"/>. On the primary, a secondary is listed only while the primary has a
/// confirmed replication stream to it and has heard from it within an election timeout:
/// <c>online</c> while entries flow (Raft's replicate state), <c>send_bulk</c> while a snapshot streams to
/// it. A secondary being probed (just after an election, after it rejected entries, after a snapshot
/// ended) or gone silent is not listed, as Redis does not list a replica that is not connected. Offsets
/// are log indexes: a secondary's is its match index.
/// </summary>
internal static class RespReplication
{
    /// <summary><paramref name="LagSeconds"/>: whole seconds since the secondary was last heard from, as Redis' lag.</summary>
    private sealed record Replica(string Host, int Port, string State, long Offset, long LagSeconds);

    /// <summary><c>[master, offset, [[host, port, offset]...]]</c> or <c>[slave, host, port, state, offset]</c>.</summary>
    public static void WriteRole(IBufferWriter<byte> output, ClusterStatus status, RespDirectory directory)
    {
        if (status.Role == Role.Primary)
        {
            var replicas = Connected(status, directory);
            WriteArrayHeader(output, 3);
            WriteBulk(output, "master");
            WriteInteger(output, status.LastLogIndex);
            WriteArrayHeader(output, replicas.Count);
            foreach (var replica in replicas)
                WriteBulkArray(output, [replica.Host, Text(replica.Port), Text(replica.Offset)]);
            return;
        }
        var primary = directory.Find(status.Primary);
        WriteArrayHeader(output, 5);
        WriteBulk(output, "slave");
        WriteBulk(output, primary?.Host ?? "");
        WriteInteger(output, primary?.Port ?? 0);
        WriteBulk(output, LinkState(status));
        WriteInteger(output, status.AppliedIndex);
    }

    /// <summary>The <c># Replication</c> section of INFO.</summary>
    public static void AppendInfo(StringBuilder text, ClusterStatus status, RespDirectory directory)
    {
        text.Append("# Replication\r\n");
        if (status.Role == Role.Primary)
        {
            var replicas = Connected(status, directory);
            text.Append("role:master\r\n").Append(CultureInfo.InvariantCulture, $"connected_slaves:{replicas.Count}\r\n");
            for (var i = 0; i < replicas.Count; i++)
            {
                var r = replicas[i];
                text.Append(CultureInfo.InvariantCulture,
                    $"slave{i}:ip={r.Host},port={r.Port},state={r.State},offset={r.Offset},lag={r.LagSeconds}\r\n");
            }
        }
        else
        {
            var primary = directory.Find(status.Primary);
            text.Append("role:slave\r\n");
            if (primary is not null)
                text.Append(CultureInfo.InvariantCulture, $"master_host:{primary.Host}\r\nmaster_port:{primary.Port}\r\n");
            text.Append($"master_link_status:{(status.Primary is null ? "down" : "up")}\r\n")
                .Append($"master_sync_in_progress:{(status.State == ClusterState.Syncing ? 1 : 0)}\r\n")
                .Append(CultureInfo.InvariantCulture, $"slave_repl_offset:{status.AppliedIndex}\r\n")
                .Append("slave_read_only:1\r\n");
        }
        text.Append(CultureInfo.InvariantCulture, $"master_repl_offset:{status.LastLogIndex}\r\n\r\n");
    }

    /// <summary>Redis' replica link states: <c>connect</c> (no primary known), <c>sync</c> (receiving a snapshot), <c>connected</c>.</summary>
    private static string LinkState(ClusterStatus status) =>
        status.Primary is null ? "connect" : status.State == ClusterState.Syncing ? "sync" : "connected";

    private static List<Replica> Connected(ClusterStatus status, RespDirectory directory)
    {
        var replicas = new List<Replica>(status.Peers.Count);
        foreach (var peer in status.Peers)
        {
            var state = peer.Replication switch
            {
                "replicate" => "online",
                "snapshot" => "send_bulk",
                _ => null,
            };
            if (state is null || !peer.InContact)
                continue;
            var address = directory.Find(peer.Node);
            replicas.Add(new Replica(address?.Host ?? peer.Node, address?.Port ?? 0, state, peer.MatchIndex ?? 0,
                (long)Math.Floor(peer.SecondsSinceHeard ?? 0)));
        }
        return replicas;
    }

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);
}
