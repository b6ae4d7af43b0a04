using System.Globalization;
using KvAspire.Chaos.Linearizability;

namespace KvAspire.Chaos.Load;

/// <summary>
/// What the clients ask: reads, writes, deletes and create-only writes on a few keys. The key set is replaced by a new
/// generation every <see cref="KeyGeneration"/>, so no key's history grows past what the checker searches quickly,
/// while at any moment every client contends on the same few keys. Every value written is unique (client and sequence
/// number), so a read tells which write it saw.
/// </summary>
public sealed class Workload(int keys, TimeSpan keyGeneration)
{
    public int Keys { get; } = keys;
    public TimeSpan KeyGeneration { get; } = keyGeneration;

    /// <summary>The mix: 40% reads, 30% writes, 15% deletes, 15% create-only writes.</summary>
    public static OperationKind Draw(Random random) => random.Next(100) switch
    {
        < 40 => OperationKind.Get,
        < 70 => OperationKind.Put,
        < 85 => OperationKind.Delete,
        _ => OperationKind.PutIfAbsent,
    };

    /// <summary>A key of the generation in force <paramref name="elapsedMicroseconds"/> into the run.</summary>
    public string Key(Random random, long elapsedMicroseconds) =>
        KeyOf((int)(elapsedMicroseconds / (long)KeyGeneration.TotalMicroseconds), random.Next(Keys));

    /// <summary>Every key used up to <paramref name="elapsedMicroseconds"/>: what the final reads cover.</summary>
    public IEnumerable<string> KeysUntil(long elapsedMicroseconds) =>
        from generation in Enumerable.Range(0, (int)(elapsedMicroseconds / (long)KeyGeneration.TotalMicroseconds) + 1)
        from key in Enumerable.Range(0, Keys)
        select KeyOf(generation, key);

    private static string KeyOf(int generation, int key) => string.Create(CultureInfo.InvariantCulture, $"chaos:g{generation}:k{key}");
}
