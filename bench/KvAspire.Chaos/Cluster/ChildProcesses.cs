using System.Collections.Concurrent;
using System.Diagnostics;
using KvAspire.Bench;

namespace KvAspire.Chaos.Cluster;

/// <summary>
/// Every process the run started, so that none outlives it: the run kills them in its finally (Ctrl-C, SIGTERM and
/// SIGHUP cancel the run and reach it too, see Program.cs), and the same kill runs on process exit as a last resort.
/// A paused (SIGSTOP) node is continued first so the kill is delivered at once.
/// </summary>
public static class ChildProcesses
{
    private static readonly ConcurrentDictionary<int, Process> Running = new();

    static ChildProcesses() => AppDomain.CurrentDomain.ProcessExit += (_, _) => KillAll();

    /// <summary>Starts <paramref name="arguments"/> with its output appended to <paramref name="logPath"/> (through the
    /// shell's redirection, which <c>exec</c> keeps, so the process id is the program's own and no pipe needs draining).</summary>
    public static Process Start(IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string> environment, string logPath)
    {
        var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        foreach (var argument in new[] { "-c", "log=$1; shift; exec \"$@\" >>\"$log\" 2>&1", "sh", logPath }.Concat(arguments))
            start.ArgumentList.Add(argument);
        foreach (var (name, value) in environment)
            start.Environment[name] = value;
        var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {arguments[0]}");
        Running[process.Id] = process;
        return process;
    }

    /// <summary>kill -9 and wait until the process is gone (its ports free).</summary>
    public static async Task KillAsync(Process process)
    {
        Signals.TrySend(process.Id, Signals.Continue);
        Signals.TrySend(process.Id, Signals.Kill);
        await process.WaitForExitAsync();
        Forget(process);
    }

    public static void Forget(Process process)
    {
        Running.TryRemove(process.Id, out _);
        process.Dispose();
    }

    public static void KillAll()
    {
        foreach (var process in Running.Values)
        {
            Signals.TrySend(process.Id, Signals.Continue);
            Signals.TrySend(process.Id, Signals.Kill);
        }
        Running.Clear();
    }
}
