namespace KvAspire.Node.Cluster;

/// <summary>The answer to a linearizable read request: serve it now, or tell the client why not.</summary>
public abstract record ReadPermit
{
    private ReadPermit() { }

    /// <summary>Confirmed by a majority and applied through <see cref="Index"/>: the state machine may answer.</summary>
    public sealed record Granted(long Index) : ReadPermit;

    /// <summary>This node is not (or stopped being) the primary; <see cref="Primary"/> is the one it knows of.</summary>
    public sealed record NotPrimary(string? Primary, long Term) : ReadPermit;

    /// <summary>No majority confirmed this primary in time (it may be cut off).</summary>
    public sealed record TimedOut(TimeSpan After) : ReadPermit;

    /// <summary>Refused at once: the host loop already has <see cref="Queued"/> inputs waiting.</summary>
    public sealed record Overloaded(int Queued) : ReadPermit;
}
