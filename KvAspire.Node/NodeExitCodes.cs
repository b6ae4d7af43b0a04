namespace KvAspire.Node;

/// <summary>How a node process ends other than normally, for supervisors and scripts.</summary>
public static class NodeExitCodes
{
    /// <summary>Its data directory is damaged (sysexits' EX_DATAERR); the message names the file.</summary>
    public const int DamagedData = 65;

    /// <summary>Writing or forcing its data to disk failed: a full or failing disk (sysexits' EX_IOERR). The log names the cause.</summary>
    public const int DiskFailed = 74;

    /// <summary>A setting is missing or outside its allowed values (sysexits' EX_CONFIG); the message names it.</summary>
    public const int BadConfiguration = 78;
}
