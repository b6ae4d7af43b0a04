using System.Globalization;
using System.Text;
using System.Text.Json;

namespace KvAspire.Bench;

/// <summary>
/// Turns the JSON lines of one bench/run.sh run into the generated part of bench/RESULTS.md:
/// medians with their spread (min–max over the repetitions), KvAspire/peer ratios, and the machine
/// load seen during the run. Only the text between the two markers is replaced; hand-written
/// sections around it stay.
/// </summary>
public static class Report
{
    public const string Begin = "<!-- bench/run.sh: generated from here -->";
    public const string End = "<!-- bench/run.sh: generated up to here -->";
    private const string OursPrefix = "kvaspire";

    public static void Write(string resultsPath, string resultsMd, string header)
    {
        var records = File.ReadLines(resultsPath).Where(l => l.Length > 0).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var text = new StringBuilder().AppendLine(Begin).AppendLine(header).AppendLine();
        Throughput(text, records);
        Ratios(text, records);
        Lag(text, records);
        Failover(text, records);
        RespFailover(text, records);
        Memory(text, records);
        Notes(text, records);
        Load(text, records);
        text.Append(End);
        var existing = File.Exists(resultsMd) ? File.ReadAllText(resultsMd) : "# Benchmark results\n";
        var begin = existing.IndexOf(Begin, StringComparison.Ordinal);
        var end = existing.IndexOf(End, StringComparison.Ordinal);
        var updated = begin >= 0 && end > begin
            ? existing[..begin] + text + existing[(end + End.Length)..]
            : InsertAfterTitle(existing, text.ToString());
        File.WriteAllText(resultsMd, updated);
    }

    private static string InsertAfterTitle(string markdown, string section)
    {
        var afterTitle = markdown.IndexOf('\n', StringComparison.Ordinal) + 1;
        return markdown[..afterTitle] + "\n" + section + "\n" + markdown[afterTitle..];
    }

    /// <summary>One row per system and setting: throughput median (spread) and latency medians.</summary>
    private static void Throughput(StringBuilder text, List<JsonElement> records)
    {
        var rows = records.Where(r => Str(r, "kind") is "redis-benchmark" or "resp" or "http")
            .GroupBy(r => (Kind: Str(r, "kind"), Label: Str(r, "label"), Op: Str(r, "op"), Setting: Setting(r)))
            .OrderBy(g => g.Key.Kind).ThenBy(g => g.Key.Op).ThenBy(g => g.Key.Setting).ThenBy(g => g.Key.Label).ToList();
        if (rows.Count == 0)
            return;
        text.AppendLine("### Throughput and latency").AppendLine()
            .AppendLine("| driver | system | test | setting | ops/s median (min–max, runs) | p50 ms | p99 ms | p99.9 ms | max ms |")
            .AppendLine("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
        foreach (var g in rows)
        {
            text.AppendLine(string.Create(CultureInfo.InvariantCulture, $"| {g.Key.Kind} | {g.Key.Label} | {g.Key.Op} | {g.Key.Setting} | {Spread(g, "ops_per_s")} | "
                + $"{Ms(Median(g, "p50_ms"))} | {Ms(Median(g, "p99_ms"))} | {Ms(Median(g, "p999_ms"))} | {Ms(Median(g, "max_ms"))} |"));
        }
        text.AppendLine();
    }

    /// <summary>KvAspire's median throughput over each peer's, same driver, test and setting.</summary>
    private static void Ratios(StringBuilder text, List<JsonElement> records)
    {
        var medians = records.Where(r => Str(r, "kind") is "redis-benchmark" or "resp" or "http")
            .GroupBy(r => (Kind: Str(r, "kind"), Label: Str(r, "label"), Op: Str(r, "op"), Setting: Setting(r)))
            .ToDictionary(g => g.Key, g => Median(g, "ops_per_s"));
        var pairs = medians.Where(m => m.Key.Label.StartsWith(OursPrefix, StringComparison.Ordinal))
            .SelectMany(ours => medians.Where(peer => !peer.Key.Label.StartsWith(OursPrefix, StringComparison.Ordinal)
                && (peer.Key.Kind, peer.Key.Op, peer.Key.Setting) == (ours.Key.Kind, ours.Key.Op, ours.Key.Setting))
                .Select(peer => (Ours: ours, Peer: peer)))
            .OrderBy(p => p.Ours.Key.Kind).ThenBy(p => p.Ours.Key.Op).ThenBy(p => p.Ours.Key.Setting)
            .ThenBy(p => p.Ours.Key.Label).ThenBy(p => p.Peer.Key.Label).ToList();
        if (pairs.Count == 0)
            return;
        text.AppendLine("### Ratios KvAspire / peer (median throughput, same run)").AppendLine()
            .AppendLine("| driver | test | setting | KvAspire | ops/s | peer | ops/s | ratio |")
            .AppendLine("| --- | --- | --- | --- | --- | --- | --- | --- |");
        foreach (var (ours, peer) in pairs)
        {
            text.AppendLine(string.Create(CultureInfo.InvariantCulture, $"| {ours.Key.Kind} | {ours.Key.Op} | {ours.Key.Setting} | {ours.Key.Label} | {ours.Value:N0} | "
                + $"{peer.Key.Label} | {peer.Value:N0} | **{ours.Value / peer.Value:0.000}×** |"));
        }
        text.AppendLine();
    }

    private static void Lag(StringBuilder text, List<JsonElement> records)
    {
        var rows = records.Where(r => Str(r, "kind") == "lag").GroupBy(r => Str(r, "label")).ToList();
        if (rows.Count == 0)
            return;
        text.AppendLine("### Replication lag (acknowledged on the primary -> applied on each secondary)").AppendLine()
            .AppendLine("| run | samples | p50 ms | p99 ms | p99.9 ms | max ms | poll round trip ms | load SET/s |")
            .AppendLine("| --- | --- | --- | --- | --- | --- | --- | --- |");
        foreach (var g in rows)
        {
            text.AppendLine(string.Create(CultureInfo.InvariantCulture, $"| {g.Key} | {g.Sum(r => Num(r, "samples")):0} | {Median(g, "p50_ms"):0.###} | {Median(g, "p99_ms"):0.###} | "
                + $"{Median(g, "p999_ms"):0.###} | {Median(g, "max_ms"):0.###} | {Median(g, "poll_ms"):0.###} | {Median(g, "load_ops_per_s"):N0} |"));
        }
        text.AppendLine();
    }

    private static void Failover(StringBuilder text, List<JsonElement> records)
    {
        var rows = records.Where(r => Str(r, "kind") == "failover").GroupBy(r => Str(r, "label")).ToList();
        if (rows.Count == 0)
            return;
        text.AppendLine("### Failover under load (kill -9 of the primary, PUTs through the gateway)").AppendLine()
            .AppendLine("| timings | rounds | kill -> first success, ms: median (min–max) | last success before -> first after, ms | each round (kill -> first) |")
            .AppendLine("| --- | --- | --- | --- | --- |");
        foreach (var g in rows)
        {
            var each = string.Join(" / ", g.Select(r => Num(r, "kill_to_first_success_ms").ToString("0", CultureInfo.InvariantCulture)));
            text.AppendLine(string.Create(CultureInfo.InvariantCulture, $"| {g.Key} | {g.Count()} | {Spread(g, "kill_to_first_success_ms")} | {Spread(g, "window_ms")} | {each} |"));
        }
        text.AppendLine();
    }

    private static void RespFailover(StringBuilder text, List<JsonElement> records)
    {
        var rows = records.Where(r => Str(r, "kind") == "resp-failover").GroupBy(r => Str(r, "label")).ToList();
        if (rows.Count == 0)
            return;
        text.AppendLine("### Failover as StackExchange.Redis with default options sees it (kill -9 of the primary, a SET every 5 ms)").AppendLine()
            .AppendLine("| timings | rounds | longest write gap, ms: median (min–max) | kill -> first success, ms | election seen -> first success, ms |")
            .AppendLine("| --- | --- | --- | --- | --- |");
        foreach (var g in rows)
        {
            text.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {g.Key} | {g.Count()} | {Spread(g, "longest_gap_ms")} | {Spread(g, "kill_to_first_success_ms")} | {Spread(g, "election_to_first_success_ms")} |"));
        }
        text.AppendLine();
    }

    private static void Memory(StringBuilder text, List<JsonElement> records)
    {
        var memory = records.Where(r => Str(r, "kind") == "memory").ToList();
        var restarts = records.Where(r => Str(r, "kind") == "restart").ToList();
        if (memory.Count == 0 && restarts.Count == 0)
            return;
        text.AppendLine("### Memory per key and restart-to-serving").AppendLine()
            .AppendLine("| node | role | keys (value bytes) | RSS before -> after MiB | bytes per key |")
            .AppendLine("| --- | --- | --- | --- | --- |");
        foreach (var r in memory)
        {
            text.AppendLine(string.Create(CultureInfo.InvariantCulture, $"| {Str(r, "node")} | {Str(r, "role")} | {Num(r, "keys"):N0} ({Num(r, "value_bytes"):0}) | "
                + $"{Num(r, "rss_before") / 1048576:0.0} -> {Num(r, "rss_after") / 1048576:0.0} | {Num(r, "bytes_per_key"):0} |"));
        }
        text.AppendLine();
        foreach (var r in restarts)
        {
            text.AppendLine(string.Create(CultureInfo.InvariantCulture, $"Restart of secondary {Str(r, "node")} (kill -9, start again) holding {Num(r, "keys"):N0} keys: "
                + $"answers `/cluster` after {Num(r, "answers_ms"):0} ms, has applied index {Num(r, "applied_index"):N0} after **{Num(r, "caught_up_ms"):0} ms**."));
        }
        text.AppendLine();
    }

    private static void Notes(StringBuilder text, List<JsonElement> records)
    {
        var notes = records.Where(r => Str(r, "kind") == "note").Select(r => Str(r, "label")).ToList();
        if (notes.Count == 0)
            return;
        text.AppendLine("Notes from the run:").AppendLine();
        foreach (var note in notes)
            text.AppendLine($"- {note}");
        text.AppendLine();
    }

    private static void Load(StringBuilder text, List<JsonElement> records)
    {
        var samples = records.Where(r => Str(r, "kind") == "uptime").ToList();
        if (samples.Count == 0)
            return;
        text.AppendLine("Machine load during the run, sampled before each step: `uptime` load averages (1/5/15 min) and the "
            + "time of one 4 KiB O_DSYNC write in the data folder (`dd oflag=dsync`; ~0.55 ms on a quiet machine, shared/ASPIRE-NOTES.md):")
            .AppendLine();
        foreach (var r in samples)
        {
            text.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"- {Str(r, "label")}: load {Num(r, "load1"):0.0}/{Num(r, "load5"):0.0}/{Num(r, "load15"):0.0}, synchronous write {Num(r, "fsync_ms"):0.##} ms"));
        }
        text.AppendLine();
    }

    /// <summary>A latency in ms; "–" where the driver does not report it (redis-benchmark has no p99.9).</summary>
    private static string Ms(double value) => double.IsNaN(value) ? "–" : value.ToString("0.###", CultureInfo.InvariantCulture);

    private static string Setting(JsonElement r) => r.TryGetProperty("setting", out var s) ? s.GetString() ?? "" : "";

    private static string Spread(IEnumerable<JsonElement> g, string field)
    {
        var values = g.Select(r => Num(r, field)).Where(v => !double.IsNaN(v)).Order().ToList();
        return values.Count == 0 ? "–" : string.Create(CultureInfo.InvariantCulture, $"{MedianOf(values):N0} ({values[0]:N0}–{values[^1]:N0}, {values.Count})");
    }

    private static double Median(IEnumerable<JsonElement> g, string field) =>
        MedianOf([.. g.Select(r => Num(r, field)).Where(v => !double.IsNaN(v)).Order()]);

    private static double MedianOf(List<double> sorted) => sorted.Count == 0 ? double.NaN
        : sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;

    private static string Str(JsonElement r, string field) => r.TryGetProperty(field, out var v) ? v.ToString() : "";

    private static double Num(JsonElement r, string field) => !r.TryGetProperty(field, out var v) ? double.NaN
        : v.ValueKind == JsonValueKind.Number ? v.GetDouble()
        : double.TryParse(v.GetString(), CultureInfo.InvariantCulture, out var parsed) ? parsed : double.NaN;

}
