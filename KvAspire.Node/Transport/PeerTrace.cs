using System.Diagnostics;

namespace KvAspire.Node.Transport;

/// <summary>
/// The wire form of the trace a peer message travels under (<c>PeerMessage.trace</c>): a W3C traceparent
/// (<c>00-{trace id}-{span id}-{flags}</c>). Only sampled work carries one, so nothing here runs per unsampled write.
/// </summary>
public static class PeerTrace
{
    /// <summary>A version-00 traceparent is exactly this long; anything longer is not one (and is not parsed).</summary>
    public const int MaxLength = 55;

    /// <summary>The traceparent of <paramref name="trace"/>, or the empty string (proto3's "absent") for none.</summary>
    public static string Format(ActivityContext trace) =>
        trace == default ? "" : $"00-{trace.TraceId.ToHexString()}-{trace.SpanId.ToHexString()}-{(int)trace.TraceFlags:x2}";

    /// <summary>
    /// The span context <paramref name="traceparent"/> names, marked remote. False for the empty string and for
    /// anything malformed (a peer's bug or a corrupted frame): the message itself is still good, only its trace is lost.
    /// </summary>
    public static bool TryParse(string traceparent, out ActivityContext trace)
    {
        trace = default;
        return traceparent.Length is > 0 and <= MaxLength
            && ActivityContext.TryParse(traceparent, traceState: null, isRemote: true, out trace)
            && trace.TraceId != default && trace.SpanId != default;
    }
}
