using System.Collections.Concurrent;
using System.ComponentModel;
using System.Diagnostics;

namespace KvAspire.Deploy.Tests;

/// <summary>Renders a kustomization with <c>kubectl kustomize</c> (offline; no cluster needed).</summary>
internal static class Kustomize
{
    /// <summary>The kustomizations CI renders: the base and every overlay.</summary>
    public const string Base = "deploy/kubernetes";
    public const string FiveNodes = "deploy/kubernetes/overlays/five-nodes";
    public const string Dashboard = "deploy/kubernetes/overlays/dashboard";

    private static readonly ConcurrentDictionary<string, Lazy<string>> Rendered = new();

    /// <summary>The rendered YAML of <paramref name="directory"/> (relative to the repository root), rendered once per run.</summary>
    public static string Render(string directory) =>
        Rendered.GetOrAdd(directory, d => new Lazy<string>(() => Run(Repository.PathOf(d)))).Value;

    public static Manifest Load(string directory) => Manifest.Parse(Render(directory));

    private static string Run(string directory)
    {
        var start = new ProcessStartInfo("kubectl")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("kustomize");
        start.ArgumentList.Add(directory);
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("kubectl did not start.");
        }
        catch (Win32Exception e)
        {
            throw new InvalidOperationException(
                "kubectl is required to render deploy/kubernetes (`kubectl kustomize` works offline, no cluster needed); " +
                $"install the kubectl client: {e.Message}", e);
        }
        using (process)
        {
            var stderr = process.StandardError.ReadToEndAsync();
            var stdout = process.StandardOutput.ReadToEnd();
            if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"kubectl kustomize {directory} did not finish within 60 s.");
            }
            if (process.ExitCode != 0)
                throw new InvalidOperationException($"kubectl kustomize {directory} failed ({process.ExitCode}): {stderr.Result}");
            return stdout;
        }
    }
}
