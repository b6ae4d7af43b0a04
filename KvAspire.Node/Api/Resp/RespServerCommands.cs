using System.Buffers;
using System.Diagnostics;
using System.Text;
using KvAspire.Node.Cluster;
using KvAspire.Node.Consensus;
using KvAspire.Node.StateMachine;
using Microsoft.Extensions.Options;
using static KvAspire.Node.Api.Resp.RespWriter;

namespace KvAspire.Node.Api.Resp;

/// <summary>
/// HELLO, INFO, ROLE, COMMAND and CONFIG GET: what Redis clients ask to learn the server and, above
/// all, its replication role. A client given every node reads <c>role:master</c> / <c>role:slave</c>
/// and <c>master_host</c>/<c>master_port</c> (the primary's RESP address) and follows the primary.
/// </summary>
public sealed class RespServerCommands(RaftHost host, KvStore store, RespDirectory directory, RespClients clients, IOptions<RespOptions> resp,
    IOptions<ReplicationOptions> replication)
{
    /// <summary>The Redis version whose commands and replies this endpoint follows; clients pick features by it.</summary>
    public const string RedisVersion = "7.2.0";

    private static readonly string RunId = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()) + Convert.ToHexStringLower(BitConverter.GetBytes(Environment.ProcessId));
    private static readonly DateTime StartedAt = Process.GetCurrentProcess().StartTime.ToUniversalTime();

    public void Hello(RespSession session, IBufferWriter<byte> output)
    {
        WriteArrayHeader(output, 14);
        WriteBulk(output, "server");
        WriteBulk(output, "redis");
        WriteBulk(output, "version");
        WriteBulk(output, RedisVersion);
        WriteBulk(output, "proto");
        WriteInteger(output, 2);
        WriteBulk(output, "id");
        WriteInteger(output, session.Id);
        WriteBulk(output, "mode");
        WriteBulk(output, "standalone");
        WriteBulk(output, "role");
        WriteBulk(output, host.Status.Role == Consensus.Role.Primary ? "master" : "replica");
        WriteBulk(output, "modules");
        WriteRaw(output, RespLiterals.EmptyArray);
    }

    /// <summary><c>INFO [section ...]</c>: server, clients, replication, keyspace (and kvaspire); "all"/"everything"/"default" give all.</summary>
    public void Info(RespArguments args, IBufferWriter<byte> output)
    {
        var wanted = Enumerable.Range(1, args.Count - 1).Select(i => args.Text(i).ToLowerInvariant()).ToHashSet();
        var all = wanted.Count == 0 || wanted.Overlaps(["all", "everything", "default"]);
        var status = host.Status;
        var text = new StringBuilder();
        if (all || wanted.Contains("server"))
            Server(text);
        if (all || wanted.Contains("clients"))
            text.Append("# Clients\r\n").Append($"connected_clients:{clients.Connected}\r\nmaxclients:{resp.Value.MaxClients}\r\n\r\n");
        if (all || wanted.Contains("replication"))
            RespReplication.AppendInfo(text, status, directory);
        if (all || wanted.Contains("keyspace"))
        {
            text.Append("# Keyspace\r\n");
            // Both counts from the store itself, not one from the status published after the last batch; avg_ttl is
            // a sampled estimate in Redis, which reports 0 when it has none: no estimate is made here.
            var (keys, expires) = (store.Count, store.KeysWithDeadline);
            if (keys > 0)
                text.Append($"db0:keys={keys},expires={expires},avg_ttl=0\r\n");
            text.Append("\r\n");
        }
        if (all || wanted.Contains("kvaspire"))
            KvAspire(text, status);
        // Sections are separated by a blank line, not followed by one; no section at all is an empty bulk, as in Redis.
        var sections = text.ToString().TrimEnd('\r', '\n');
        WriteBulk(output, sections.Length == 0 ? "" : sections + "\r\n");
    }

    /// <summary><c>ROLE</c>: see <see cref="RespReplication.WriteRole"/>.</summary>
    public void Role(IBufferWriter<byte> output) => RespReplication.WriteRole(output, host.Status, directory);

    /// <summary><c>COMMAND</c>, <c>COMMAND COUNT</c>, <c>COMMAND INFO name...</c>, <c>COMMAND DOCS [name...]</c>.</summary>
    public void Command(RespArguments args, IBufferWriter<byte> output)
    {
        if (args.Count == 1)
        {
            WriteCommandInfos(output, RespCommandTable.All);
            return;
        }
        var names = Enumerable.Range(2, args.Count - 2).Select(args.Text).ToList();
        if (args.Is(1, RespLiterals.Count) && args.Count == 2)
            WriteInteger(output, RespCommandTable.All.Count);
        else if (args.Is(1, RespLiterals.Info))
            WriteCommandInfos(output, names.Count == 0 ? [.. RespCommandTable.All] : names.Select(RespCommandTable.Find).ToList());
        else if (args.Is(1, RespLiterals.Docs))
            WriteCommandDocs(output, names.Count == 0 ? RespCommandTable.All : names.Select(RespCommandTable.Find).OfType<RespCommandInfo>().ToList());
        else
            WriteError(output, RespErrors.UnknownSubcommand(args.Text(1), "COMMAND"));
    }

    /// <summary><c>CONFIG GET pattern [pattern ...]</c> over the few settings clients and redis-benchmark read.</summary>
    public void Config(RespArguments args, IBufferWriter<byte> output)
    {
        if (!args.Is(1, RespLiterals.Get))
        {
            WriteError(output, RespErrors.UnknownSubcommand(args.Text(1), "CONFIG"));
            return;
        }
        if (args.Count < 3)
        {
            WriteError(output, RespErrors.WrongArity("config|get"));
            return;
        }
        var settings = Settings();
        var patterns = Enumerable.Range(2, args.Count - 2).Select(args.Text).ToList();
        var matched = settings.Where(s => patterns.Any(p => RespGlob.IsMatch(p, s.Key, ignoreCase: true))).ToList();
        WriteArrayHeader(output, matched.Count * 2);
        foreach (var (name, value) in matched)
        {
            WriteBulk(output, name);
            WriteBulk(output, value);
        }
    }

    private List<KeyValuePair<string, string>> Settings() =>
    [
        new("databases", "1"),
        new("timeout", ((long)resp.Value.IdleTimeout.TotalSeconds).ToString()),
        new("maxclients", resp.Value.MaxClients.ToString()),
        new("proto-max-bulk-len", resp.Value.ReadLimits.MaxBulkBytes.ToString()),
        new("client-query-buffer-limit", resp.Value.MaxQueryBufferBytes.ToString()),
        new("replica-read-only", "yes"),
        new("slave-read-only", "yes"),
        new("save", ""),
        new("appendonly", "no"),
    ];

    private void Server(StringBuilder text) => text.Append("# Server\r\n")
        .Append($"redis_version:{RedisVersion}\r\n")
        .Append("redis_mode:standalone\r\n")
        .Append($"os:{Environment.OSVersion.Platform}\r\n")
        .Append($"arch_bits:{IntPtr.Size * 8}\r\n")
        .Append($"process_id:{Environment.ProcessId}\r\n")
        .Append($"run_id:{RunId}\r\n")
        .Append($"uptime_in_seconds:{(long)(DateTime.UtcNow - StartedAt).TotalSeconds}\r\n")
        .Append("\r\n");

    private void KvAspire(StringBuilder text, ClusterStatus status) => text.Append("# KvAspire\r\n")
        .Append($"kv_node:{status.Node}\r\n")
        .Append($"kv_role:{status.Role}\r\n")
        .Append($"kv_state:{status.State}\r\n")
        .Append($"kv_term:{status.Term}\r\n")
        .Append($"kv_primary:{status.Primary ?? ""}\r\n")
        .Append($"kv_commit_index:{status.CommitIndex}\r\n")
        .Append($"kv_applied_index:{status.AppliedIndex}\r\n")
        .Append($"kv_acknowledge:{replication.Value.Acknowledge}\r\n")
        .Append("kv_mset:one log entry per key, not atomic\r\n")
        .Append("\r\n");

    private static void WriteCommandInfos(IBufferWriter<byte> output, IReadOnlyCollection<RespCommandInfo?> commands)
    {
        WriteArrayHeader(output, commands.Count);
        foreach (var command in commands)
        {
            if (command is null)
            {
                WriteNull(output);
                continue;
            }
            // Redis 7's ten fields: name, arity, flags, first key, last key, step, ACL categories, tips, key specs, subcommands.
            WriteArrayHeader(output, 10);
            WriteBulk(output, command.Name);
            WriteInteger(output, command.Arity);
            WriteArrayHeader(output, command.Flags.Length);
            foreach (var flag in command.Flags)
                WriteSimple(output, flag);
            WriteInteger(output, command.FirstKey);
            WriteInteger(output, command.LastKey);
            WriteInteger(output, command.Step);
            for (var i = 0; i < 4; i++)
                WriteRaw(output, RespLiterals.EmptyArray);
        }
    }

    private static void WriteCommandDocs(IBufferWriter<byte> output, IReadOnlyCollection<RespCommandInfo> commands)
    {
        WriteArrayHeader(output, commands.Count * 2);
        foreach (var command in commands)
        {
            WriteBulk(output, command.Name);
            WriteBulkArray(output, ["summary", command.Summary, "since", "1.0.0", "group", command.Group]);
        }
    }
}
