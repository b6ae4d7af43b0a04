using System.Diagnostics;
using System.Globalization;

namespace KvAspire.Bench.Cluster;

/// <summary>
/// A node's operating-system process, read from /proc: its command line, environment and working
/// directory (so it can be started again exactly as Aspire started it), its ports and its memory.
/// Aspire does not restart a killed project, so the failover and restart runs relaunch the node
/// themselves; a relaunched node is this tool's child and is stopped by it (SIGTERM) at the end.
/// </summary>
public sealed class NodeProcess
{
    private NodeProcess(int pid, string[] commandLine, Dictionary<string, string> environment, string workingDirectory)
    {
        Pid = pid;
        CommandLine = commandLine;
        Environment = environment;
        WorkingDirectory = workingDirectory;
    }

    public int Pid { get; }
    public string[] CommandLine { get; }
    public IReadOnlyDictionary<string, string> Environment { get; }
    public string WorkingDirectory { get; }

    public int HttpPort => int.Parse(Environment["KV_HTTP_PORT"], CultureInfo.InvariantCulture);
    public int RespPort => int.Parse(Environment["KV_RESP_PORT"], CultureInfo.InvariantCulture);
    public string HttpUrl => $"http://localhost:{HttpPort}";

    public static NodeProcess Read(int pid)
    {
        var commandLine = File.ReadAllText($"/proc/{pid}/cmdline").TrimEnd('\0').Split('\0');
        var environment = File.ReadAllText($"/proc/{pid}/environ").Split('\0', StringSplitOptions.RemoveEmptyEntries)
            .Select(v => v.Split('=', 2)).Where(kv => kv.Length == 2)
            .GroupBy(kv => kv[0]).ToDictionary(g => g.Key, g => g.Last()[1]);
        var cwd = new DirectoryInfo($"/proc/{pid}/cwd").ResolveLinkTarget(returnFinalTarget: true)?.FullName
            ?? throw new InvalidOperationException($"cannot read the working directory of process {pid}");
        return new NodeProcess(pid, commandLine, environment, cwd);
    }

    /// <summary>Resident memory (VmRSS) of a process in bytes, from /proc/&lt;pid&gt;/status.</summary>
    public static long RssBytes(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
    }

    /// <summary>kill -9: no shutdown, no flush, as a crash.</summary>
    public void Kill() => Signals.Send(Pid, Signals.Kill);

    /// <summary>Waits until the process is dead (gone, or a zombie whose sockets the kernel has closed).</summary>
    public async Task WaitGoneAsync(CancellationToken cancellationToken)
    {
        while (IsRunning(Pid))
            await Task.Delay(10, cancellationToken);
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            return !File.ReadLines($"/proc/{pid}/status").Any(l => l.StartsWith("State:", StringComparison.Ordinal) && l.Contains('Z'));
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or IOException)
        {
            return false;
        }
    }

    /// <summary>Starts the node again with the same command line, environment and directory; output goes to <paramref name="logPath"/>.
    /// <paramref name="environment"/> replaces the variables it names (null values remove them): another node started from this one's setup.</summary>
    public Process Relaunch(string logPath, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var start = new ProcessStartInfo(CommandLine[0])
        {
            WorkingDirectory = WorkingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in CommandLine.Skip(1))
            start.ArgumentList.Add(argument);
        start.Environment.Clear();
        foreach (var (name, value) in Environment)
            start.Environment[name] = value;
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
            start.Environment[name] = value;
        var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {CommandLine[0]}");
        var log = TextWriter.Synchronized(new StreamWriter(logPath, append: true) { AutoFlush = true });
        // Drained so the node never blocks on a full pipe.
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) log.WriteLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) log.WriteLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>SIGTERM to a process this tool started, then up to <paramref name="grace"/> for it to exit, then SIGKILL.</summary>
    public static async Task StopAsync(Process process, TimeSpan grace)
    {
        if (process.HasExited)
            return;
        Signals.Send(process.Id, Signals.Term);
        using var timeout = new CancellationTokenSource(grace);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill();
        }
    }
}
