namespace KvAspire.Fuzz;

/// <summary>One fuzz input handed to the production code under test.</summary>
public delegate void FuzzTarget(ReadOnlySpan<byte> input);

/// <summary>
/// The fuzz targets by name. Each feeds its input to the real decoder and returns normally for every
/// outcome that decoder documents (a result or its named rejection); anything else escapes, and
/// afl-fuzz records the input as a crash. The corpus replay test calls the same methods. One input at a
/// time: the log and snapshot targets reuse one scratch directory per process.
/// </summary>
public static class FuzzTargets
{
    public static IReadOnlyDictionary<string, FuzzTarget> ByName { get; } = new Dictionary<string, FuzzTarget>
    {
        ["resp"] = RespTarget.Run,
        ["peer"] = PeerTarget.Run,
        ["log"] = LogTarget.Run,
    };

    /// <summary>
    /// Byte <paramref name="index"/> of an input's control header, which picks the target's mode and where it
    /// cuts the data; 0 when the input is shorter.
    /// </summary>
    internal static byte Control(ReadOnlySpan<byte> input, int index = 0) => index < input.Length ? input[index] : (byte)0;

    /// <summary>The bytes after a control header of <paramref name="headerBytes"/>: what the decoder sees.</summary>
    internal static ReadOnlySpan<byte> Data(ReadOnlySpan<byte> input, int headerBytes = 1) =>
        input.Length > headerBytes ? input[headerBytes..] : [];

    /// <summary>A cut point in [0, length], spread over the whole data by <paramref name="fraction"/> out of <paramref name="fractionMax"/>.</summary>
    internal static int CutPoint(int length, int fraction, int fractionMax) => (int)((long)length * fraction / fractionMax);
}

/// <summary>The decoder did something its contract rules out; thrown so the fuzzer reports the input.</summary>
public sealed class FuzzInvariantException(string message) : Exception(message);
