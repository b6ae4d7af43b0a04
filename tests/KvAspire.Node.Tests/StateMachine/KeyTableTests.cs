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

    /// <summary>Holds every copy it is given until the test runs it, on another thread.</summary>
    private sealed class HeldCopies
    {
        public List<Action> Waiting { get; } = [];

        public void Hold(Action copy) => Waiting.Add(copy);

        public Task RunAllBeside() => Task.WhenAll(Waiting.Select(Task.Run));
    }

    [Fact]
    public async Task WhatTheWriterChanges_WhileACopyRunsBesideIt_IsAllInTheTableItPublishes()
    {
        var held = new HeldCopies();
        var table = new KeyTable(0, backgroundCopySlots: 16, held.Hold);
        var expected = new Dictionary<string, string>();
        void Set(string key, string text)
        {
            table.Set(key, Value(text));
            expected[key] = text;
        }

        var i = 0;
        while (held.Waiting.Count == 0)
            Set("k" + i++, "first");
        // Changes the copy may or may not have seen: updates, removals, removals then sets, new keys.
        for (var k = 0; k < i; k += 3)
            Set("k" + k, "updated");
        for (var k = 1; k < i; k += 3)
        {
            table.Remove("k" + k);
            expected.Remove("k" + k);
        }
        Set("k1", "back");
        Set("new", "during");
        Assert.Single(held.Waiting);

        await held.RunAllBeside();
        Set("after", "published");

        // The old table keeps the removed keys' slots; the copy, made after the removals, holds none.
        Assert.Equal(expected.Count, table.Current.Slots().Count());
        Assert.Equal(expected.Count, table.Count);
        foreach (var (key, text) in expected)
            Assert.Equal(text, Text(table.Get(key)));
        Assert.Equal(expected.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => (p.Key, p.Value)),
            table.Current.Live().OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => (p.Key, Text(p.Value))));
    }

    [Fact]
    public async Task AWriterAtThreeQuarters_WaitsForTheCopyBesideIt_AndLosesNothing()
    {
        var copies = new List<Task>();
        // The copies run late, on their own, as on a busy thread pool.
        var table = new KeyTable(0, backgroundCopySlots: 16, copy => copies.Add(Task.Run(async () =>
        {
            await Task.Delay(50);
            copy();
        })));

        for (var i = 0; i < 5_000; i++)
            table.Set("k" + i, Value("v" + i));
        await Task.WhenAll(copies);

        Assert.True(copies.Count > 5, "the table grew through several copies beside the writer");
        Assert.Equal(5_000, table.Count);
        for (var i = 0; i < 5_000; i++)
            Assert.Equal("v" + i, Text(table.Get("k" + i)));
    }

    [Fact]
    public async Task KeysStoredAndUpdated_WhileCopiesRunBesideTheWriter_AreNeverLost()
    {
        var copies = new List<Task>();
        var table = new KeyTable(0, backgroundCopySlots: 16, copy => copies.Add(Task.Run(copy)));

        // Each copy runs while the writer goes on: what it stores in slots the copy has already read must come over too.
        for (var step = 0; step < 300_000; step++)
        {
            table.Set("n" + step, Value("v" + step));
            table.Set("hot" + step % 100, Value("s" + step));
        }
        await Task.WhenAll(copies);
        table.Set("last", Value("x"));

        Assert.True(copies.Count > 10, "the table grew through copies beside the writer");
        Assert.Equal(300_000 + 100 + 1, table.Count);
        Assert.All(Enumerable.Range(0, 300_000), step => Assert.Equal("v" + step, Text(table.Get("n" + step))));
        Assert.All(Enumerable.Range(0, 100), hot => Assert.Equal("s" + (299_900 + hot), Text(table.Get("hot" + hot))));
    }
}
