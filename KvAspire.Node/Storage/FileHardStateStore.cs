using System.Text.Json;
using KvAspire.Node.Consensus;

namespace KvAspire.Node.Storage;

/// <summary>
/// Term and vote in <c>hardstate.json</c>, replaced atomically: write a temp file, fsync it, rename
/// it over the old one, fsync the directory. A crash leaves either the old or the new state, never a mix.
/// </summary>
public sealed class FileHardStateStore : IHardStateStore
{
    private const string FileName = "hardstate.json";
    private readonly string _directory;
    private readonly string _path;

    public FileHardStateStore(string directory)
    {
        _directory = directory;
        _path = Path.Combine(directory, FileName);
        Directory.CreateDirectory(directory);
    }

    public HardState Load()
    {
        if (!File.Exists(_path))
            return HardState.Blank;
        Record? record;
        try
        {
            record = JsonSerializer.Deserialize<Record>(File.ReadAllBytes(_path));
        }
        catch (JsonException e)
        {
            throw new CorruptHardStateException(_path, e.Message);
        }
        if (record is null || record.Term < 0)
            throw new CorruptHardStateException(_path, record is null ? "it holds no state" : $"its term is {record.Term}");
        return new HardState(record.Term, record.VotedFor, record.Joining);
    }

    public void Save(HardState state)
    {
        var temp = _path + ".tmp";
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            JsonSerializer.Serialize(stream, new Record(state.Term, state.VotedFor, state.Joining));
            stream.Flush(flushToDisk: true);
        }
        File.Move(temp, _path, overwrite: true);
        // The rename is durable only once the directory entry is.
        DirectorySync.Flush(_directory);
    }

    /// <summary>A file written before <see cref="HardState.Joining"/> existed has no such field: that node kept its disk, so it votes.</summary>
    private sealed record Record(long Term, string? VotedFor, bool Joining = false);
}
