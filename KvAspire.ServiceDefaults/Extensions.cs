using System.Globalization;
using KvAspire.Contracts;
using KvAspire.Telemetry;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// The Aspire service defaults every KvAspire process shares: OpenTelemetry (OTLP when
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set), service discovery, HttpClient resilience and the
/// <c>/health</c>, <c>/alive</c> and <c>/metrics</c> (Prometheus text) endpoints.
/// </summary>
public static class Extensions
{
    private const string HealthEndpointPath = "/health";
    private const string AlivenessEndpointPath = "/alive";
    private const string MetricsEndpointPath = "/metrics";

    /// <summary>Meters and activity sources a service adds beyond the framework's own.</summary>
    public static readonly List<string> ServiceTelemetrySources = ["KvAspire.Node", "KvAspire.Gateway"];

    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.ConfigureOpenTelemetry();
        builder.AddDefaultHealthChecks();
        // Error answers are RFC 9457 problems (KvAspire.Http.ApiProblems), written by the platform's writer.
        builder.Services.AddProblemDetails();
        builder.Services.AddServiceDiscovery();
        builder.Services.ConfigureHttpClientDefaults(http =>
        {
            http.AddStandardResilienceHandler();
            http.AddServiceDiscovery();
        });
        return builder;
    }

    public static TBuilder ConfigureOpenTelemetry<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });
        // The gateway and the AppHost poll /cluster many times a second, and probes hit /health: at Information
        // every request writes half a dozen lines on each side, and within minutes they push the elections and
        // role changes out of the dashboard's log page. Failures still show at Warning.
        foreach (var category in RequestLogCategories)
            builder.Logging.AddFilter(category, LogLevel.Warning);

        builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter([.. ServiceTelemetrySources])
                // Scrapable without a collector (Kubernetes, tests); OTLP below when one is configured.
                .AddPrometheusExporter())
            .WithTracing(tracing => tracing
                .AddSource(builder.Environment.ApplicationName)
                .AddSource([.. ServiceTelemetrySources])
                .AddAspNetCoreInstrumentation(options =>
                    // Health probes run every second from the gateway and Aspire: keep them out of traces. So are
                    // the peer streams: one call lives as long as the connection, and a peer that is down would
                    // show as an error trace every reconnect attempt (replication is traced by the node itself).
                    options.Filter = context =>
                        !context.Request.Path.StartsWithSegments(HealthEndpointPath)
                        && !context.Request.Path.StartsWithSegments(AlivenessEndpointPath)
                        && !context.Request.Path.StartsWithSegments(MetricsEndpointPath)
                        && !context.Request.Path.StartsWithSegments("/cluster")
                        && !IsPeerCall(context.Request.Path.Value))
                .AddHttpClientInstrumentation(options =>
                    options.FilterHttpRequestMessage = request => !IsPeerCall(request.RequestUri?.AbsolutePath)));
        // The budget applies unless OpenTelemetry's own OTEL_TRACES_SAMPLER is set and the budget is not: a budget set
        // explicitly outranks it, as it must under Aspire, which sets always_on on every project (TracingSettings).
        var explicitBudget = builder.Configuration[TracingSettings.RootSpansPerSecond];
        if (!string.IsNullOrWhiteSpace(explicitBudget) || string.IsNullOrWhiteSpace(builder.Configuration["OTEL_TRACES_SAMPLER"]))
        {
            var budget = new RootSpanBudget(RootSpansPerSecond(explicitBudget));
            builder.Services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.SetSampler(new ParentBasedSampler(budget)));
        }

        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            builder.Services.AddOpenTelemetry().UseOtlpExporter();
        }
        return builder;
    }

    private static double RootSpansPerSecond(string? setting)
    {
        if (string.IsNullOrWhiteSpace(setting))
            return TracingSettings.DefaultRootSpansPerSecond;
        if (double.TryParse(setting, NumberStyles.Float, CultureInfo.InvariantCulture, out var perSecond) && double.IsFinite(perSecond) && perSecond >= 0)
            return perSecond;
        throw new InvalidOperationException(
            $"{TracingSettings.RootSpansPerSecond} must be a number of root spans per second per span name, 0 or more (0 traces only what a caller sampled); got '{setting}'.");
    }

    /// <summary>ASP.NET Core's and HttpClient's per-request log categories (kept at Warning, see above).</summary>
    private static readonly string[] RequestLogCategories =
    [
        "Microsoft.AspNetCore.Hosting.Diagnostics",
        "Microsoft.AspNetCore.Routing.EndpointMiddleware",
        "Microsoft.AspNetCore.Http.Result",
        "System.Net.Http.HttpClient",
    ];

    /// <summary>A node-to-node gRPC call (package <c>kvaspire.peer</c>).</summary>
    private static bool IsPeerCall(string? path) => path is not null && path.StartsWith("/kvaspire.peer.", StringComparison.Ordinal);

    public static TBuilder AddDefaultHealthChecks<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddHealthChecks()
            .AddCheck("self", () => HealthCheckResult.Healthy(), ["live"]);
        return builder;
    }

    /// <summary>Maps <c>/health</c> (every check must pass), <c>/alive</c> (only the "live" checks) and
    /// <c>/metrics</c> (every instrument in Prometheus text format), all three open to unauthenticated callers.</summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        // Open even when clients must authenticate: probes and scrapers carry no client secret.
        app.MapHealthChecks(HealthEndpointPath).AllowAnonymous();
        app.MapHealthChecks(AlivenessEndpointPath, new HealthCheckOptions
        {
            Predicate = registration => registration.Tags.Contains("live"),
        }).AllowAnonymous();
        app.MapPrometheusScrapingEndpoint(MetricsEndpointPath).AllowAnonymous();
        return app;
    }
}
