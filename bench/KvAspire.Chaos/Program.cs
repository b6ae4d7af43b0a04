using System.Runtime.InteropServices;
using KvAspire.Bench;
using KvAspire.Chaos;
using KvAspire.Chaos.Cluster;
using KvAspire.Chaos.Linearizability;

// dotnet run -c Release --project bench/KvAspire.Chaos -- run [--minutes 10] [--seed 42] ...   (docs/chaos.md)
//   Starts its own cluster, runs the seeded fault schedule under load and checks the history; exit code 0 if the run
//   passed, 1 if not (not linearizable, an acknowledged write lost, a fault not injected), 2 for bad usage.
// dotnet run --project bench/KvAspire.Chaos -- check <history.jsonl>
//   Checks a recorded history for linearizability; exit code 0 if it is, 1 if not (with a minimal failing
//   sub-history per key), 2 for bad usage or an unreadable file.
const string Usage = """
    usage: KvAspire.Chaos run [--minutes 10] [--seed 42] [--clients 8] [--keys 8] [--key-generation 20]
                              [--timing Fast|Default] [--acknowledge Quorum|Primary] [--spares 2] [--out DIR]
           KvAspire.Chaos check <history.jsonl>
    """;

switch (args)
{
    case ["check", var path]:
        return Check(path);
    case ["run", .. var rest]:
        RunOptions options;
        try
        {
            var parsed = new Args(rest);
            options = RunOptions.From(parsed);
            parsed.EnsureAllRead();
            options.Validate();
        }
        catch (Exception e) when (e is ArgumentException or FormatException)
        {
            Console.Error.WriteLine($"{e.Message}\n{Usage}");
            return 2;
        }
        using (var cancel = new CancellationTokenSource())
        {
            // Ctrl-C, SIGTERM (timeout, a CI runner giving up) and SIGHUP end the run cleanly: it stops, and its
            // finally kills every node it started. Without these the runtime would exit at once and leave them running.
            void Stop(PosixSignalContext context)
            {
                context.Cancel = true;
                cancel.Cancel();
            }
            using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
            using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
            using var hangUp = PosixSignalRegistration.Create(PosixSignal.SIGHUP, Stop);
            try
            {
                return await new ChaosRun(options).RunAsync(cancel.Token);
            }
            catch (Exception e) when (e is TimeoutException or FileNotFoundException)
            {
                // The cluster never came up (a node or the gateway not built, a port taken): no run, so no pass.
                Console.Error.WriteLine($"the run could not start: {e.Message}");
                return 1;
            }
            finally
            {
                ChildProcesses.KillAll();
            }
        }
    default:
        Console.Error.WriteLine(Usage);
        return 2;
}

static int Check(string path)
{
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
}
