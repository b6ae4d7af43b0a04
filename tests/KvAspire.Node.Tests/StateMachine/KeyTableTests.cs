using KvAspire.Node.StateMachine;

namespace KvAspire.Node.Tests.StateMachine;

/// <summary>
/// The store's table: one writer, readers on any thread. It must agree with a dictionary under any sequence of sets and
/// removals, through every rebuild, and a reader must never see one key's value under another key.
/// </summary>
public sealed class KeyTableTests
{
    private static StringValue Value(string text, long revision = 1) => StringValue.Create(System.Text.Encoding.UTF8.GetBytes(text), null, 0, revision);

    private static string Text(StoredValue? value) => value is StringValue s ? System.Text.Encoding.UTF8.GetString(s.Value.Span) : "(none)";

    [Fact]
    public void SetsAndRemovals_InAnyOrder_AgreeWithADictionary_ThroughEveryRebuild()
    {
        var random = new Random(7);
        var table = new KeyTable();
        var expected = new Dictionary<string, string>();
        for (var step = 0; step < 200_000; step++)
        {
            // A key space that grows, so the table grows, and removals that leave removed slots for rebuilds to drop.
            var key = "k" + random.Next(1 + step / 4);
            if (random.Next(3) == 0)
            {
                var removed = table.Remove(key);
                Assert.Equal(expected.Remove(key, out var old) ? old : "(none)", Text(removed));
            }
            else
            {
                var text = "v" + step;
                var replaced = table.Set(key, Value(text));
                Assert.Equal(expected.TryGetValue(key, out var old) ? old : "(none)", Text(replaced));
                expected[key] = text;
            }
        }

        Assert.Equal(expected.Count, table.Count);
        foreach (var (key, text) in expected)
            Assert.Equal(text, Text(table.Get(key)));
        Assert.Null(table.Get("never-stored"));
        Assert.Equal(expected.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => (p.Key, p.Value)),
            table.Current.Live().OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => (p.Key, Text(p.Value))));
    }

    [Fact]
    public void AKeyRemovedAndStoredAgain_IsOneKey_AndTheTableKeepsNoRemovedKeysPastARebuild()
    {
        var table = new KeyTable();
        for (var round = 0; round < 1_000; round++)
        {
            // Keys that come and go (sessions, locks): the table must not grow with every key it ever held.
            table.Set("session:" + round, Value("x"));
            table.Remove("session:" + round);
            table.Set("lock", Value("r" + round));
        }

        Assert.Equal(1, table.Count);
        Assert.Equal("r999", Text(table.Get("lock")));
        Assert.True(table.Current.Slots().Count() < 64, "removed keys are dropped when the table is rebuilt");
    }

    [Fact]
    public void AView_TakenBeforeChanges_StillVisitsEveryKeyItHeld_EvenAfterTheTableIsRebuilt()
    {
        var table = new KeyTable();
        for (var i = 0; i < 100; i++)
            table.Set("a" + i, Value("old"));
        var view = table.Current;

        for (var i = 0; i < 10_000; i++)
            table.Set("b" + i, Value("new"));
        for (var i = 0; i < 50; i++)
            table.Remove("a" + i);

        var visited = view.Slots().Select(p => p.Key).Where(k => k.StartsWith('a')).Order().ToList();
        Assert.Equal(Enumerable.Range(0, 100).Select(i => "a" + i).Order(), visited);
    }

    [Fact]
    public async Task Readers_WhileTheWriterSetsRemovesAndRebuilds_SeeOnlyEachKeysOwnValues()
    {
        var table = new KeyTable();
        using var stop = new CancellationTokenSource();
        var wrong = 0L;
        var reads = 0L;
        // Each value names its key, so a value read under another key is caught.
        var readers = Enumerable.Range(0, 2).Select(r => Task.Run(() =>
        {
            var random = new Random(r);
            while (!stop.IsCancellationRequested)
            {
                var key = "key" + random.Next(20_000);
                if (table.Get(key) is { } value && !Text(value).StartsWith(key + "=", StringComparison.Ordinal))
                    Interlocked.Increment(ref wrong);
                Interlocked.Increment(ref reads);
            }
        })).ToList();

        var random = new Random(3);
        // Until the readers have read plenty too: on a busy machine they may start only after many writes.
        for (var step = 0; step < 300_000 || Interlocked.Read(ref reads) < 100_000; step++)
        {
            var key = "key" + random.Next(1 + Math.Min(step / 15, 20_000));
            if (random.Next(4) == 0)
                table.Remove(key);
            else
                table.Set(key, Value(key + "=" + step));
        }
        await stop.CancelAsync();
        await Task.WhenAll(readers);

        Assert.Equal(0, wrong);
    }
}
