using System.Diagnostics;

namespace KvAspire.Chaos.Cluster;

/// <summary>One node of the run's cluster: fixed ports and data folder (a restart is the same node), and its current process.</summary>
public sealed class ChaosNode(string name, int httpPort, int peerPort, int respPort, string dataDirectory)
{
    public string Name { get; } = name;
    public int HttpPort { get; } = httpPort;
    public int PeerPort { get; } = peerPort;
    public int RespPort { get; } = respPort;
    public string DataDirectory { get; } = dataDirectory;
    public string HttpUrl => $"http://127.0.0.1:{HttpPort}";

    /// <summary>Started at least once (a spare is not until the run adds it).</summary>
    public bool Launched { get; set; }

    /// <summary>Null while the node is down.</summary>
    public Process? Process { get; set; }
}
