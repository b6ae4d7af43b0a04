using System.Diagnostics.Metrics;
using KvAspire.Node.Telemetry;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace KvAspire.Node.Tests.Telemetry;

/// <summary>
/// What tells nodes' metrics apart: in production each node is its own resource and its meter names no node; where one
/// process hosts several nodes, a tag on each node's meter.
/// </summary>
public sealed class NodeMeterTests
{
    [Fact]
    public void ANodeInItsOwnProcess_PutsNoNodeNameOnItsMeter()
    {
        // A meter's tags are exported as scope attributes, which the OTLP exporter and the Aspire dashboard take from the
        // first meter of a name they meet, and the dashboard shows on every series: node3's were once labelled node2.
        var data = Directory.CreateTempSubdirectory("kv-meter-");
        try
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.Configuration["Cluster:NodeId"] = "node3";
            builder.Configuration["Storage:DataDirectory"] = data.FullName;
            builder.AddKvNode();
            using var app = builder.Build();
            using var published = new PublishedMeters(app.Services.GetRequiredService<IMeterFactory>());

            app.Services.GetRequiredService<NodeMetrics>();

            Assert.Empty(Assert.Single(published.Meters).Tags ?? []);
        }
        finally
        {
            data.Delete(recursive: true);
        }
    }

    [Fact]
    public void NodesInOneProcess_EachHaveTheirOwnMeter_TaggedWithTheirName()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var factory = services.GetRequiredService<IMeterFactory>();
        using var published = new PublishedMeters(factory);

        _ = new NodeMetrics(factory, inProcessNode: "a");
        _ = new NodeMetrics(factory, inProcessNode: "b");

        Assert.Equal(["a", "b"], published.Meters.Select(m => Assert.Single(m.Tags ?? [], t => t.Key == KvTelemetry.NodeTag).Value).Order());
    }

    /// <summary>The <c>KvAspire.Node</c> meters of <paramref name="factory"/> that publish an instrument while this listens.</summary>
    private sealed class PublishedMeters : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly HashSet<Meter> _meters = [];

        public PublishedMeters(IMeterFactory factory)
        {
            _listener.InstrumentPublished = (instrument, _) =>
            {
                if (ReferenceEquals(instrument.Meter.Scope, factory) && instrument.Meter.Name == KvTelemetry.Name)
                {
                    lock (_meters)
                        _meters.Add(instrument.Meter);
                }
            };
            _listener.Start();
        }

        public List<Meter> Meters
        {
            get
            {
                lock (_meters)
                    return [.. _meters];
            }
        }

        public void Dispose() => _listener.Dispose();
    }
}
