using System.Globalization;

namespace KvAspire.Chaos.Faults;

/// <summary>
/// One fault of a run's schedule. <see cref="Target"/> is <see cref="Primary"/> (whichever node is primary when the
/// fault starts), a node's name, or <see cref="All"/>; <see cref="Peer"/> is the receiving end of a one-way partition
/// (a name or <see cref="Primary"/>). The fault starts <see cref="QuietBefore"/> after the cluster healed from the
/// previous one and lasts <see cref="Duration"/>.
/// </summary>
public sealed record ScheduledFault(int Number, TimeSpan QuietBefore, FaultKind Kind, string Target, TimeSpan Duration,
    string? Peer = null, TimeSpan? FsyncDelay = null, int? FailFsyncAfter = null)
{
    public const string Primary = "primary";
    public const string All = "all";

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"#{Number,-3} after {QuietBefore.TotalSeconds,4:0.0} s quiet: {Kind,-15} {Target}{(Peer is null ? "" : $" -> {Peer}")} for {Duration.TotalSeconds:0.0} s")
        + (FsyncDelay is { } delay ? string.Create(CultureInfo.InvariantCulture, $", fsync +{delay.TotalMilliseconds:0} ms") : "")
        + (FailFsyncAfter is { } after ? $", fsync fails after {after}" : "");
}
