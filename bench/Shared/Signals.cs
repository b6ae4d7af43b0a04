using System.Runtime.InteropServices;

namespace KvAspire.Bench;

/// <summary>POSIX signals to a process by id: what the benchmarks and the chaos suite do to nodes (kill -9, stop, continue).</summary>
public static class Signals
{
    public const int Kill = 9;
    public const int Term = 15;
    public const int Continue = 18;
    public const int Stop = 19;

    /// <summary>Sends <paramref name="signal"/>; false if the process no longer exists.</summary>
    public static bool TrySend(int pid, int signal) => kill(pid, signal) == 0;

    public static void Send(int pid, int signal)
    {
        if (kill(pid, signal) != 0)
            throw new InvalidOperationException($"kill({pid}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);
}
