namespace KvAspire.Node;

/// <summary>How a node process ends other than normally, for supervisors and scripts.</summary>
public static class NodeExitCodes
{
    /// <summary>Its data directory is damaged (sysexits' EX_DATAERR); the message names the file.</summary>
    public const int DamagedData = 65;
}
