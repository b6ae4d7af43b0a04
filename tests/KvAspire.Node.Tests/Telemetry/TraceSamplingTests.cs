using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace KvAspire.Node.Tests.Telemetry;

/// <summary>
/// The service defaults' tracer follows a parent's decision, and records root spans up to a budget per span name
/// (<see cref="RootSpanBudget"/>) unless OpenTelemetry's standard sampler settings say otherwise: with
/// <c>OTEL_TRACES_SAMPLER=parentbased_traceidratio</c> a node records only the share of root spans its argument names.
/// Either way every span under a sampled parent (a write traced from the gateway, a replicate span a peer message
/// carries) is recorded, so a sampled write stays one trace across the nodes while the others cost no span.
/// </summary>
public sealed class TraceSamplingTests
{
    private static readonly ActivityContext SampledParent =
        new(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded, isRemote: true);

    private static readonly ActivityContext UnsampledParent =
        new(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.None, isRemote: true);

    /// <summary>Whether a root span, a span under a sampled parent and one under an unsampled parent are recorded, on a host
    /// built by the service defaults with <paramref name="settings"/>. The source is the test's own: no other test listens to it.</summary>
    private static (bool Root, bool UnderSampled, bool UnderUnsampled) Recorded(Dictionary<string, string?> settings) =>
        WithTracer(settings, source =>
            (IsRecorded(source, "kv SET", default), IsRecorded(source, "kv SET", SampledParent), IsRecorded(source, "kv SET", UnsampledParent)));

    /// <summary>Runs <paramref name="spans"/> against a tracer built by the service defaults with <paramref name="settings"/>.
    /// The source is the test's own: no other test listens to it.</summary>
    private static T WithTracer<T>(Dictionary<string, string?> settings, Func<ActivitySource, T> spans)
    {
        using var source = new ActivitySource($"sampling-test-{Guid.NewGuid():N}");
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.ConfigureOpenTelemetry();
        builder.Services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddSource(source.Name));
        using var host = builder.Build();
        _ = host.Services.GetRequiredService<TracerProvider>();
        return spans(source);
    }

    private static bool IsRecorded(ActivitySource source, string name, ActivityContext parent)
    {
        using var span = source.StartActivity(name, ActivityKind.Server, parent);
        return span?.Recorded == true;
    }

    [Fact]
    public void ByDefault_ARootIsRecorded_AndAParentsDecisionIsFollowed()
    {
        Assert.Equal((true, true, false), Recorded([]));
    }

    [Fact]
    public void ByDefault_AFloodOfRootsIsRecordedOnlyUpToTheBudget_WhileOtherNamesAndSampledParentsStillAre()
    {
        var (flood, election, underSampled) = WithTracer(new() { [KvAspire.Contracts.TracingSettings.RootSpansPerSecond] = "5" }, source =>
            (Enumerable.Range(0, 1000).Count(_ => IsRecorded(source, "kv SET", default)),
                IsRecorded(source, "election", default),
                IsRecorded(source, "kv SET", SampledParent)));

        // 1,000 roots take far less than the 199 s the budget would need to record them all; a slow machine may see a few more.
        Assert.InRange(flood, 5, 50);
        Assert.True(election, "a flood of one name must not use up another name's budget");
        Assert.True(underSampled, "a span under a sampled parent is recorded whatever the budget");
    }

    [Fact]
    public void ABudgetOfZero_RecordsNoRoot_ButEverySpanUnderASampledParent()
    {
        Assert.Equal((false, true, false), Recorded(new() { [KvAspire.Contracts.TracingSettings.RootSpansPerSecond] = "0" }));
    }

    [Fact]
    public void ABudgetSetExplicitly_OutranksOpenTelemetrysSamplerSetting_AsAspiresAlwaysOnMustBe()
    {
        Assert.Equal((false, true, false), Recorded(new()
        {
            ["OTEL_TRACES_SAMPLER"] = "always_on",
            [KvAspire.Contracts.TracingSettings.RootSpansPerSecond] = "0",
        }));
    }

    [Fact]
    public void OpenTelemetrysSamplerSetting_WithoutABudget_DecidesAlone()
    {
        var recorded = WithTracer(new() { ["OTEL_TRACES_SAMPLER"] = "always_on" }, source =>
            Enumerable.Range(0, 1000).Count(_ => IsRecorded(source, "kv SET", default)));

        Assert.Equal(1000, recorded);
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("many")]
    [InlineData("NaN")]
    public void AMalformedBudget_StopsTheHostFromStarting_WithTheSettingsName(string setting)
    {
        var error = Assert.Throws<InvalidOperationException>(() => Recorded(new() { [KvAspire.Contracts.TracingSettings.RootSpansPerSecond] = setting }));
        Assert.Contains(KvAspire.Contracts.TracingSettings.RootSpansPerSecond, error.Message);
        Assert.Contains(setting, error.Message);
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
