using System.Globalization;
using KvAspire.Chaos.Linearizability;

namespace KvAspire.Chaos.Load;

/// <summary>One client: runs one operation at a time until the run stops, recording each in the history.</summary>
public sealed class Client(int id, IKvProtocol protocol, Workload workload, History history, int seed)
{
    /// <summary>After a refusal or an unknown outcome, so a client without a primary does not spin.</summary>
    private static readonly TimeSpan Backoff = TimeSpan.FromMilliseconds(50);

    public async Task RunAsync(CancellationToken stop)
    {
        var random = new Random(seed);
        var written = 0;
        await using (protocol)
        {
            while (!stop.IsCancellationRequested)
            {
                var kind = Workload.Draw(random);
                var value = kind is OperationKind.Put or OperationKind.PutIfAbsent
                    ? string.Create(CultureInfo.InvariantCulture, $"c{id}-{++written}")
                    : null;
                var call = history.Now();
                var key = workload.Key(random, call);
                Answer answer;
                try
                {
                    answer = await protocol.RunAsync(kind, key, value, stop);
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    // Cut off by the end of the run: a write may have been sent.
                    answer = Answer.Indeterminate("the run ended");
                }
                history.Add(new Operation(id, key, kind, value, null, call, null), answer, protocol.Name);
                if (answer.Result != OpResult.Ok && !stop.IsCancellationRequested)
                    await Task.Delay(Backoff, CancellationToken.None);
            }
        }
    }
}
