using System.Globalization;

namespace KvAspire.Bench;

/// <summary>
/// <c>--name value</c> pairs after the sub-command, read by name with a default. Every name a
/// command does not read is reported, so a mistyped option fails instead of silently using a default.
/// </summary>
public sealed class Args
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _read = new(StringComparer.Ordinal);

    public Args(IEnumerable<string> args)
    {
        using var e = args.GetEnumerator();
        while (e.MoveNext())
        {
            var name = e.Current;
            if (!name.StartsWith("--", StringComparison.Ordinal) || !e.MoveNext())
                throw new ArgumentException($"expected '--name value' pairs; got '{name}'");
            _values[name[2..]] = e.Current;
        }
    }

    public string Text(string name, string fallback) => Get(name) ?? fallback;

    public string? OptionalText(string name) => Get(name);

    public int Int(string name, int fallback) =>
        Get(name) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;

    public double Double(string name, double fallback) =>
        Get(name) is { } v ? double.Parse(v, CultureInfo.InvariantCulture) : fallback;

    public TimeSpan Seconds(string name, double fallback) => TimeSpan.FromSeconds(Double(name, fallback));

    /// <summary>
    /// The cluster's client password (<c>Auth:Password</c>): <c>--password</c>, else the environment's
    /// <c>KV_PASSWORD</c> (which <c>.ci/apphost-lib.sh</c> exports); null when neither is set or it is
    /// empty, so <c>--password ""</c> sends none (for Redis, Garnet and etcd, started without one).
    /// </summary>
    public string? Password() =>
        (Get("password") ?? System.Environment.GetEnvironmentVariable("KV_PASSWORD")) is { Length: > 0 } password ? password : null;

    /// <summary>Throws naming every option given but never read.</summary>
    public void EnsureAllRead()
    {
        var unknown = _values.Keys.Where(k => !_read.Contains(k)).ToList();
        if (unknown.Count > 0)
            throw new ArgumentException($"unknown option(s): {string.Join(", ", unknown.Select(k => "--" + k))}");
    }

    private string? Get(string name)
    {
        _read.Add(name);
        return _values.GetValueOrDefault(name);
    }
}
