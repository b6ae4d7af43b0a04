using System.Text.Json;
using System.Text.Json.Serialization;

namespace KvAspire.Chaos.Linearizability;

/// <summary>A history as JSON lines, one <see cref="Operation"/> per line:
/// <c>{"client":1,"key":"k","kind":"Put","input":"v1","output":null,"call":10,"return":20}</c>.</summary>
public static class HistoryFile
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    public static IReadOnlyList<Operation> Read(string path) =>
        [.. File.ReadLines(path).Select((line, number) => (line, number)).Where(l => l.line.Length > 0).Select(l =>
            JsonSerializer.Deserialize<Operation>(l.line, Json)
            ?? throw new InvalidDataException($"{path}:{l.number + 1}: not an operation"))];

    public static string Write(Operation operation) => JsonSerializer.Serialize(operation, Json);
}
