using System.Diagnostics;
using System.Net.Http.Json;
using Aspire.Hosting.ApplicationModel;
using KvAspire.IntegrationTests.Otlp;
using Microsoft.Extensions.DependencyInjection;

namespace KvAspire.IntegrationTests;

/// <summary>
/// What the dashboard would receive, read from the services' own OTLP export: one trace per write across the gateway and
/// all three nodes, and one per election, with spans that nest.
/// </summary>
[Collection(TracedClusterCollection.Name)]
public sealed class TraceTests(TracedClusterFixture cluster)
{
    private static readonly TimeSpan ExportTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task WriteThroughTheGateway_IsOneTrace_WithSpansFromTheGatewayAndEveryNode_ProperlyNested()
    {
        var primary = await cluster.WaitForSettledClusterAsync(ClusterFixture.ElectionTimeout);
        var secondaries = ClusterFixture.NodeNames.Where(n => n != primary.Node).ToList();
        var trace = ActivityTraceId.CreateRandom().ToHexString();
        using var write = new HttpRequestMessage(HttpMethod.Put, "/kv/traced") { Content = JsonContent.Create(new { traced = true }) };
        // The caller's own sampled trace, so the test knows which trace to read.
        write.Headers.Add("traceparent", $"00-{trace}-{ActivitySpanId.CreateRandom().ToHexString()}-01");

        (await cluster.Gateway.SendAsync(write)).EnsureSuccessStatusCode();

        var spans = await WithWhatArrivedAsync(trace, () => Eventually.ResultAsync(
            "the gateway's span, the primary's, its replicate span to each secondary, and each secondary's receive, persist and apply",
            ExportTimeout, () =>
            {
                var inTrace = cluster.Receiver!.Spans.Where(s => s.TraceId == trace).ToList();
                var complete = inTrace.Any(s => s.Service == "gateway")
                    && inTrace.Any(s => s.Name == "kv SET" && s.Service == primary.Node)
                    && secondaries.All(node => new[] { "replicate.receive", "replicate.persist", "replicate.apply" }
                        .All(name => inTrace.Any(s => s.Name == name && s.Attributes.GetValueOrDefault("kv.node") == node)))
                    // A replicate span ends when its secondary acknowledges, which may be after that secondary's own
                    // spans were exported (a CI run read the trace before one had arrived).
                    && secondaries.All(node => inTrace.Any(s => s.Name == "replicate" && s.Attributes.GetValueOrDefault("kv.peer") == node));
                return Task.FromResult(complete ? inTrace : null);
            }));

        Assert.Equal(["gateway", .. ClusterFixture.NodeNames], spans.Select(s => s.Service).Distinct().Order());
        AssertNested(spans);
        foreach (var node in secondaries)
        {
            var replicate = Assert.Single(spans, s => s.Name == "replicate" && s.Attributes.GetValueOrDefault("kv.peer") == node);
            Assert.All(spans.Where(s => s.Service == node), s => Assert.Equal(replicate.SpanId, s.ParentSpanId));
        }
    }

    [Fact]
    public async Task Election_VotersSpans_AreInTheCandidatesTrace()
    {
        var old = await cluster.WaitForSettledClusterAsync(ClusterFixture.ElectionTimeout);

        // A leader transfer (the dashboard's Step down): the chosen secondary campaigns at once, and both others answer its vote request.
        var stepDown = await cluster.App.Services.GetRequiredService<ResourceCommandService>().ExecuteCommandAsync(old.Node, "kv-step-down");
        Assert.True(stepDown.Success, $"step-down failed: {stepDown.Message}");
        var elected = await cluster.WaitForSettledClusterAsync(ClusterFixture.ElectionTimeout);

        var voters = ClusterFixture.NodeNames.Where(n => n != elected.Node).ToList();
        var term = elected.Term.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var (election, votes) = await Eventually.ResultAsync($"{elected.Node}'s election span and both voters' request_vote spans", ExportTimeout, () =>
        {
            var spans = cluster.Receiver!.Spans;
            var won = spans.FirstOrDefault(s => s.Name == "election" && s.Service == elected.Node && s.Attributes.GetValueOrDefault("kv.term") == term);
            var answers = spans.Where(s => s.Name == "request_vote" && s.Attributes.GetValueOrDefault("kv.candidate") == elected.Node
                && s.Attributes.GetValueOrDefault("kv.term") == term).ToList();
            return Task.FromResult(won is not null && voters.All(v => answers.Any(a => a.Service == v)) ? Tuple.Create(won, answers) : null);
        });

        Assert.Equal("won", election.Attributes["kv.outcome"]);
        Assert.All(votes, vote =>
        {
            Assert.Equal(election.TraceId, vote.TraceId);
            Assert.Equal(election.SpanId, vote.ParentSpanId);
        });
    }

    /// <summary>A wait for spans of <paramref name="trace"/> that, when it times out, says which spans did arrive.</summary>
    private async Task<T> WithWhatArrivedAsync<T>(string trace, Func<Task<T>> wait)
    {
        try
        {
            return await wait();
        }
        catch (TimeoutException e)
        {
            var arrived = cluster.Receiver!.Spans.Where(s => s.TraceId == trace)
                .Select(s => $"{s.Service}: {s.Name} ({s.Attributes.GetValueOrDefault("kv.node")})");
            throw new TimeoutException($"{e.Message}. Arrived in trace {trace}: {string.Join("; ", arrived)}", e);
        }
    }

    /// <summary>
    /// Spans nest: each starts no earlier than its parent and ends no later, unless it links to that parent (it follows
    /// from it: the slower secondary's replicate span and every apply, which come after the client was answered).
    /// Across processes on one machine the clocks agree to well within a millisecond. One exception is HTTP's own, not
    /// ours: ASP.NET Core ends a request's server span once the response is flushed and the pipeline unwinds, which can
    /// be after the calling process (the gateway) has the whole answer, so such a span's end is not compared.
    /// </summary>
    private static void AssertNested(List<ReceivedSpan> spans)
    {
        var tolerance = TimeSpan.FromMilliseconds(1);
        foreach (var child in spans)
        {
            if (spans.FirstOrDefault(s => s.SpanId == child.ParentSpanId) is not { } parent)
                continue;
            Assert.True(child.Start >= parent.Start - tolerance, $"{child.Name} on {child.Service} starts before its parent {parent.Name} on {parent.Service}");
            var answersAnotherProcess = child.Service != parent.Service && child.Attributes.ContainsKey("http.request.method");
            Assert.True(answersAnotherProcess || child.Links.Contains(parent.SpanId) || child.End <= parent.End + tolerance,
                $"{child.Name} on {child.Service} ends after its parent {parent.Name} on {parent.Service} and does not link to it");
        }
    }
}
