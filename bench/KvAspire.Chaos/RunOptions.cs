namespace KvAspire.Chaos;

/// <summary>The <c>run</c> command's options (docs/chaos.md).</summary>
public sealed record RunOptions(int Seed, double Minutes, int Clients, int Keys, double KeyGenerationSeconds, string Timing,
    string Acknowledge, int Spares, string Output)
{
    public static RunOptions From(Bench.Args args) => new(
        args.Int("seed", 42),
        args.Double("minutes", 10),
        args.Int("clients", 8),
        args.Int("keys", 8),
        args.Double("key-generation", 20),
        args.Text("timing", "Fast"),
        args.Text("acknowledge", "Quorum"),
        args.Int("spares", 2),
        args.Text("out", Path.Combine("bench", ".work", $"chaos-{DateTime.UtcNow:yyyyMMdd'T'HHmmss'Z'}")));

    public TimeSpan Length => TimeSpan.FromMinutes(Minutes);

    public void Validate()
    {
        if (Minutes <= 0 || Clients < 2 || Keys < 1 || KeyGenerationSeconds < 1)
            throw new ArgumentException("--minutes must be positive, --clients at least 2 (one per protocol), --keys at least 1, --key-generation at least 1 s");
    }
}
