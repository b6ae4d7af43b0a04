using KvAspire.Node.Consensus;
using KvAspire.Node.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace KvAspire.Node.Tests.Storage;

/// <summary>Storage:FaultInjection, the chaos suite's failing disk: the fsync after the allowed count fails, from
/// either path that forces the log (the host loop's Flush and the group commit's sync of a WriteLater).</summary>
public sealed class FaultInjectingLogStoreTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("kv-fault-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private FaultInjectingLogStore NewStore(int failAfter) => new(new SegmentedLogStore(_directory, 1 << 20, NullLogger.Instance),
        new StorageFaultInjection { FailFsyncAfter = failAfter });

    private static Entry[] Entry(long index) => [new Entry(index, 1, new byte[10])];

    [Fact]
    public void TheFsyncAfterTheAllowedCount_Fails_WhetherFlushedOrSyncedLater()
    {
        using var store = NewStore(failAfter: 2);
        store.Append(Entry(1));
        store.Flush(durable: true);
        store.Append(Entry(2));
        var first = store.WriteLater();
        first.Write!();
        first.Sync();

        store.Append(Entry(3));
        var flush = Assert.Throws<IOException>(() => store.Flush(durable: true));
        var written = store.WriteLater();
        written.Write?.Invoke();
        var later = Assert.Throws<IOException>(written.Sync);

        Assert.Contains("Storage:FaultInjection:FailFsyncAfter=2", flush.Message);
        Assert.Contains("FailFsyncAfter", later.Message);
    }

    [Fact]
    public void WritesThatAreNotForcedToDisk_AreNeverCounted()
    {
        using var store = NewStore(failAfter: 0);

        store.Append(Entry(1));
        store.Flush(durable: false);
        store.Append(Entry(2));
        store.Flush(durable: false);

        Assert.Throws<IOException>(() => store.Flush(durable: true));
    }

    [Theory]
    [InlineData(-1, null, "Storage:FaultInjection:FsyncDelay")]
    [InlineData(11_000, null, "Storage:FaultInjection:FsyncDelay")]
    [InlineData(0, -1, "Storage:FaultInjection:FailFsyncAfter")]
    public void OutOfRangeSettings_AreRefusedAtStart_NamingTheSetting(int delayMs, int? failAfter, string setting)
    {
        var options = new StorageOptions
        {
            DataDirectory = "/tmp/x",
            FaultInjection = new StorageFaultInjection { FsyncDelay = TimeSpan.FromMilliseconds(delayMs), FailFsyncAfter = failAfter },
        };

        var error = Assert.Throws<OptionsValidationException>(() => SettingsCheck.Validate(options));

        Assert.Contains(setting, error.Message);
    }

    [Fact]
    public void FaultInjection_IsOffByDefault()
    {
        Assert.False(new StorageOptions().FaultInjection.IsEnabled);
        Assert.True(new StorageFaultInjection { FailFsyncAfter = 0 }.IsEnabled);
        Assert.True(new StorageFaultInjection { FsyncDelay = TimeSpan.FromMilliseconds(1) }.IsEnabled);
    }
}
