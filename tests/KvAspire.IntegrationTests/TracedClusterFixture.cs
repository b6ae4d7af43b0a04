using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using KvAspire.IntegrationTests.Otlp;

namespace KvAspire.IntegrationTests;

/// <summary>
/// The cluster of <see cref="ClusterFixture"/> with the gateway and every node exporting traces over OTLP to an
/// in-process <see cref="OtlpReceiver"/>, as they export to the dashboard when the AppHost runs one.
/// </summary>
public sealed class TracedClusterFixture : ClusterFixture
{
    /// <summary>Spans leave a process within this long (OTEL_BSP_SCHEDULE_DELAY, shortened from 5 s).</summary>
    private const int ExportDelayMilliseconds = 200;

    public OtlpReceiver? Receiver { get; private set; }

    public override async Task InitializeAsync()
    {
        Receiver = await OtlpReceiver.StartAsync();
        await base.InitializeAsync();
    }

    protected override void Configure(IDistributedApplicationTestingBuilder builder)
    {
        foreach (var resource in builder.Resources.OfType<ProjectResource>().Where(r => r.Name == "gateway" || NodeNames.Contains(r.Name)))
        {
            builder.CreateResourceBuilder(resource)
                .WithEnvironment("OTEL_EXPORTER_OTLP_ENDPOINT", Receiver!.Endpoint.ToString())
                .WithEnvironment("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc")
                .WithEnvironment("OTEL_BSP_SCHEDULE_DELAY", ExportDelayMilliseconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (Receiver is not null) // null when it failed to start
            await Receiver.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class TracedClusterCollection : ICollectionFixture<TracedClusterFixture>
{
    public const string Name = "traced cluster";
}
