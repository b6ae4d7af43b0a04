using KvAspire.Chaos.Linearizability;

// dotnet run --project bench/KvAspire.Chaos -- check <history.jsonl>
//   Checks a recorded history for linearizability; exit code 0 if it is, 1 if not (with a minimal failing
//   sub-history per key), 2 for bad usage or an unreadable file.
if (args is not ["check", var path])
{
    Console.Error.WriteLine("usage: KvAspire.Chaos check <history.jsonl>");
    return 2;
}
IReadOnlyList<Operation> history;
try
{
    history = HistoryFile.Read(path);
}
catch (Exception e) when (e is IOException or InvalidDataException or System.Text.Json.JsonException)
{
    Console.Error.WriteLine($"cannot read {path}: {e.Message}");
    return 2;
}
var result = Checker.Check(history);
Console.WriteLine($"{result.Operations} operations on {result.Keys} keys ({history.Count(o => o.IsIndeterminate)} indeterminate): "
    + (result.IsLinearizable ? "linearizable" : $"NOT linearizable on {result.Failures.Count} key(s)"));
foreach (var failure in result.Failures)
{
    Console.WriteLine($"key {failure.Key}: {failure.Operations} operations; a minimal sub-history that is not linearizable:");
    foreach (var operation in failure.Minimal)
        Console.WriteLine($"  {operation}");
}
return result.IsLinearizable ? 0 : 1;
