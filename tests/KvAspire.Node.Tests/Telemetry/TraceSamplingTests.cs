using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace KvAspire.Node.Tests.Telemetry;

/// <summary>
/// The service defaults' tracer honours OpenTelemetry's standard sampler settings, and a parent's decision wins: with
/// <c>OTEL_TRACES_SAMPLER=parentbased_traceidratio</c> a node records only the share of root spans its argument names,
/// yet every span under a sampled parent (a write traced from the gateway, a replicate span a peer message carries),
/// so a sampled write stays one trace across the nodes while the others cost no span.
/// </summary>
public sealed class TraceSamplingTests
{
    private static readonly ActivityContext SampledParent =
        new(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded, isRemote: true);

    private static readonly ActivityContext UnsampledParent =
        new(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.None, isRemote: true);

    /// <summary>Whether a root span, a span under a sampled parent and one under an unsampled parent are recorded, on a host
    /// built by the service defaults with <paramref name="settings"/>. The source is the test's own: no other test listens to it.</summary>
    private static (bool Root, bool UnderSampled, bool UnderUnsampled) Recorded(Dictionary<string, string?> settings)
    {
        using var source = new ActivitySource($"sampling-test-{Guid.NewGuid():N}");
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.ConfigureOpenTelemetry();
        builder.Services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddSource(source.Name));
        using var host = builder.Build();
        _ = host.Services.GetRequiredService<TracerProvider>();

        bool IsRecorded(ActivityContext parent)
        {
            using var span = source.StartActivity("kv SET", ActivityKind.Server, parent);
            return span?.Recorded == true;
        }
        return (IsRecorded(default), IsRecorded(SampledParent), IsRecorded(UnsampledParent));
    }

    [Fact]
    public void ByDefault_EveryRootIsRecorded_AndAParentsDecisionIsFollowed()
    {
        Assert.Equal((true, true, false), Recorded([]));
    }

    [Fact]
    public void WithAParentBasedRatioOfZero_NoRootIsRecorded_ButEverySpanUnderASampledParentIs()
    {
        Assert.Equal((false, true, false), Recorded(new()
        {
            ["OTEL_TRACES_SAMPLER"] = "parentbased_traceidratio",
            ["OTEL_TRACES_SAMPLER_ARG"] = "0",
        }));
    }
}
