using System.Globalization;
using KvAspire.Node.Consensus;

namespace KvAspire.Contracts;

/// <summary>
/// A node's <c>GET /cluster/changes?role=..&amp;term=..&amp;primary=..[&amp;wait=ms]</c>: its <see cref="ClusterStatus"/>, once
/// it differs in role, term or primary from what the caller last saw, or after <c>wait</c> milliseconds (the node's
/// default when absent). A long poll: a watcher of roles (the gateway, the AppHost's dashboard) learns of a change at
/// once without asking many times a second.
/// </summary>
public static class ClusterChanges
{
    /// <summary>The long poll for a caller that has seen nothing of the node yet: it answers at once.</summary>
    public static string Path(TimeSpan? wait = null) => "/cluster/changes" + (wait is { } w ? "?wait=" + Milliseconds(w) : "");

    /// <summary>The long poll that answers once the node no longer reports <paramref name="role"/>, <paramref name="term"/>
    /// and <paramref name="primary"/> (null: none known), or after <paramref name="wait"/>.</summary>
    public static string Path(Role role, long term, string? primary, TimeSpan? wait = null) =>
        string.Create(CultureInfo.InvariantCulture,
            $"/cluster/changes?role={role}&term={term}&primary={Uri.EscapeDataString(primary ?? "")}")
        + (wait is { } w ? "&wait=" + Milliseconds(w) : "");

    private static string Milliseconds(TimeSpan wait) => ((long)wait.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
}
