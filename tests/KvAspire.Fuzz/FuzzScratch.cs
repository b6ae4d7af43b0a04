namespace KvAspire.Fuzz;

/// <summary>
/// Per-process scratch directories for targets whose code under test reads files: created once and reused
/// by every input (afl-fuzz runs thousands a second), deleted when the process exits normally. They live
/// in /dev/shm where it exists: the code under test fsyncs, which costs nothing on a RAM file system.
/// </summary>
internal static class FuzzScratch
{
    private static readonly string Root = Path.Combine(
        System.IO.Directory.Exists("/dev/shm") ? "/dev/shm" : Path.GetTempPath(), $"kvaspire-fuzz-{Environment.ProcessId}");

    static FuzzScratch() => AppDomain.CurrentDomain.ProcessExit += (_, _) =>
    {
        try
        {
            System.IO.Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    };

    public static string Directory(string target) => System.IO.Directory.CreateDirectory(Path.Combine(Root, target)).FullName;
}
