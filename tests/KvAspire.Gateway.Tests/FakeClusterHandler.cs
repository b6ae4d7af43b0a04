using System.Net;
using System.Text;
using KvAspire.Node.Consensus;

namespace KvAspire.Gateway.Tests;

/// <summary>Answers each node's <c>/cluster</c> and <c>/cluster/changes</c> from a table the test edits; a missing entry is a
/// dead node. A long poll whose view is current waits out its <c>wait</c>, as a node does, and then answers the table.</summary>
internal sealed class FakeClusterHandler : HttpMessageHandler
{
    private readonly Lock gate = new();
    private readonly Dictionary<string, (Role Role, long Term)> reports = [];
    private readonly HashSet<string> hung = [];
    private readonly HashSet<string> dying = [];
    private TaskCompletionSource changed = new(TaskCreationOptions.RunContinuationsAsynchronously); // guarded by gate

    public static Uri AddressOf(string node) => new($"http://{node}.test/");

    public void Report(string node, Role role, long term)
    {
        lock (gate)
        {
            reports[node] = (role, term);
            hung.Remove(node);
            Changed();
        }
    }

    public void Kill(string node)
    {
        lock (gate)
        {
            reports.Remove(node);
            Changed();
        }
    }

    // Called under gate: wakes the long polls waiting for a change.
    private void Changed()
    {
        changed.TrySetResult();
        changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>The node's next answer has its headers sent and then its connection reset, as by a node killed while it answers.</summary>
    public void DieWhileAnswering(string node)
    {
        lock (gate)
        {
            dying.Add(node);
        }
    }

    public void Hang(string node)
    {
        lock (gate)
        {
            hung.Add(node);
        }
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var node = request.RequestUri!.Host.Split('.')[0];
        bool isHung;
        bool dies;
        (Role Role, long Term) report;
        bool alive;
        Task change;
        lock (gate)
        {
            isHung = hung.Contains(node);
            dies = dying.Remove(node);
            alive = reports.TryGetValue(node, out report);
            change = changed.Task;
        }
        if (isHung)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
        if (!alive)
        {
            throw new HttpRequestException("Connection refused");
        }
        var query = System.Web.HttpUtility.ParseQueryString(request.RequestUri.Query);
        if (query["role"] == report.Role.ToString() && query["term"] == report.Term.ToString(System.Globalization.CultureInfo.InvariantCulture)
            && int.TryParse(query["wait"], out var wait))
        {
            await Task.WhenAny(Task.Delay(wait, cancellationToken), change);
            cancellationToken.ThrowIfCancellationRequested();
            lock (gate)
            {
                if (!reports.TryGetValue(node, out report))
                {
                    throw new HttpRequestException("Connection refused");
                }
            }
        }
        var json = NodeReport.Json(node, report.Role, report.Term, primary: null);
        return new HttpResponseMessage(HttpStatusCode.OK)
        {
            Content = dies ? new StreamContent(new ResetStream()) : new StringContent(json, Encoding.UTF8, "application/json"),
        };
    }

    /// <summary>A response body whose connection is reset on the first read.</summary>
    private sealed class ResetStream : MemoryStream
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            ValueTask.FromException<int>(new HttpIOException(HttpRequestError.ResponseEnded, "The response ended prematurely."));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            Task.FromException<int>(new HttpIOException(HttpRequestError.ResponseEnded, "The response ended prematurely."));
    }
}
