using SharpFuzz;

namespace KvAspire.Fuzz;

/// <summary>
/// <c>dotnet KvAspire.Fuzz.dll &lt;resp|peer|log&gt;</c>: under afl-fuzz (see fuzz.sh), SharpFuzz's
/// out-of-process fork server runs the target on every input; run by hand, it runs the target once on stdin.
/// <c>dotnet KvAspire.Fuzz.dll seeds &lt;corpus-dir&gt;</c> (re)writes the hand-made seed inputs.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (args is ["seeds", var corpus])
        {
            SeedCorpus.Write(corpus);
            return 0;
        }
        if (args.Length != 1 || !FuzzTargets.ByName.TryGetValue(args[0], out var target))
        {
            Console.Error.WriteLine($"usage: dotnet KvAspire.Fuzz.dll <{string.Join('|', FuzzTargets.ByName.Keys)}>  (input on stdin)");
            return 2;
        }
        Fuzzer.OutOfProcess.Run(stream =>
        {
            using var input = new MemoryStream();
            stream.CopyTo(input);
            target(input.GetBuffer().AsSpan(0, (int)input.Length));
        });
        return 0;
    }
}
