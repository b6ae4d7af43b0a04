using System.Net;

namespace KvAspire.Security;

/// <summary>
/// Counts failed authentication attempts per client address in fixed windows; an address with
/// <c>maxFailures</c> failures in the current window is refused until the window ends, so guessing
/// the secret over many connections is as slow as over one. Tracks at most <see cref="MaxTracked"/>
/// addresses (expired windows are dropped first), so a flood of source addresses cannot grow it
/// without bound; addresses beyond that are not throttled.
/// </summary>
public sealed class AuthThrottle(int maxFailures, TimeSpan window, TimeProvider time)
{
    public const int MaxTracked = 65_536;

    private readonly Lock _gate = new();
    private readonly Dictionary<IPAddress, (int Failures, DateTimeOffset Ends)> _windows = []; // guarded by _gate

    /// <summary>True (with the time left) while <paramref name="address"/> has used up its failures in the current window.</summary>
    public bool IsBlocked(IPAddress? address, out TimeSpan retryAfter)
    {
        retryAfter = TimeSpan.Zero;
        if (address is null)
            return false;
        lock (_gate)
        {
            var now = time.GetUtcNow();
            if (!_windows.TryGetValue(address, out var entry) || entry.Ends <= now || entry.Failures < maxFailures)
                return false;
            retryAfter = entry.Ends - now;
            return true;
        }
    }

    public void Failed(IPAddress? address)
    {
        if (address is null)
            return;
        lock (_gate)
        {
            var now = time.GetUtcNow();
            if (_windows.TryGetValue(address, out var entry) && entry.Ends > now)
            {
                _windows[address] = (entry.Failures + 1, entry.Ends);
                return;
            }
            if (_windows.Count >= MaxTracked)
                DropExpired(now);
            if (_windows.Count < MaxTracked || _windows.ContainsKey(address))
                _windows[address] = (1, now + window);
        }
    }

    // Called under _gate.
    private void DropExpired(DateTimeOffset now)
    {
        foreach (var (address, entry) in _windows)
        {
            if (entry.Ends <= now)
                _windows.Remove(address);
        }
    }
}
