using System.Collections.Concurrent;
using System.Globalization;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Protos = KvAspire.IntegrationTests.Otlp.Protos;

namespace KvAspire.IntegrationTests.Otlp;

/// <summary>A span as an OTLP exporter sent it, with the <c>service.name</c> of the process that sent it.</summary>
/// <param name="Links">The span ids this span links to.</param>
public sealed record ReceivedSpan(string Service, string TraceId, string SpanId, string? ParentSpanId, string Name,
    DateTime Start, DateTime End, IReadOnlyDictionary<string, string> Attributes, IReadOnlyList<string> Links);

/// <summary>
/// An OTLP/gRPC trace receiver in the test process (h2c on a free loopback port): the services export to it as they
/// would to the Aspire dashboard, and the tests read what arrived.
/// </summary>
public sealed class OtlpReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ReceivedSpan> _spans = new();

    private OtlpReceiver(WebApplication app) => _app = app;

    /// <summary>The endpoint for <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> (protocol grpc).</summary>
    public Uri Endpoint => new(_app.Urls.First());

    public IReadOnlyList<ReceivedSpan> Spans => [.. _spans];

    public static async Task<OtlpReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(System.Net.IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        builder.Services.AddSingleton<TraceService>();
        var app = builder.Build();
        var receiver = new OtlpReceiver(app);
        app.Services.GetRequiredService<TraceService>().Received = receiver._spans.Enqueue;
        app.MapGrpcService<TraceService>();
        await app.StartAsync();
        return receiver;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private sealed class TraceService : Protos.TraceService.TraceServiceBase
    {
        public Action<ReceivedSpan> Received { get; set; } = _ => { };

        public override Task<Protos.ExportTraceServiceResponse> Export(Protos.ExportTraceServiceRequest request, ServerCallContext context)
        {
            foreach (var resource in request.ResourceSpans)
            {
                var service = Attributes(resource.Resource?.Attributes ?? []).GetValueOrDefault("service.name", "(unknown)");
                foreach (var span in resource.ScopeSpans.SelectMany(scope => scope.Spans))
                {
                    Received(new ReceivedSpan(service, Hex(span.TraceId), Hex(span.SpanId),
                        span.ParentSpanId.IsEmpty ? null : Hex(span.ParentSpanId), span.Name,
                        Time(span.StartTimeUnixNano), Time(span.EndTimeUnixNano), Attributes(span.Attributes),
                        [.. span.Links.Select(link => Hex(link.SpanId))]));
                }
            }
            return Task.FromResult(new Protos.ExportTraceServiceResponse());
        }

        private static Dictionary<string, string> Attributes(IEnumerable<Protos.KeyValue> attributes) =>
            attributes.GroupBy(a => a.Key).ToDictionary(a => a.Key, a => a.Last().Value switch
            {
                { ValueCase: Protos.AnyValue.ValueOneofCase.StringValue } v => v.StringValue,
                { ValueCase: Protos.AnyValue.ValueOneofCase.IntValue } v => v.IntValue.ToString(CultureInfo.InvariantCulture),
                { ValueCase: Protos.AnyValue.ValueOneofCase.BoolValue } v => v.BoolValue ? "true" : "false",
                { ValueCase: Protos.AnyValue.ValueOneofCase.DoubleValue } v => v.DoubleValue.ToString(CultureInfo.InvariantCulture),
                _ => "",
            });

        private static string Hex(Google.Protobuf.ByteString bytes) => Convert.ToHexStringLower(bytes.Span);

        private static DateTime Time(ulong unixNanoseconds) => DateTime.UnixEpoch.AddTicks((long)(unixNanoseconds / 100));
    }
}
