using KvAspire.Node.Cluster;

namespace KvAspire.Node.Storage;

/// <summary><c>Storage:</c> settings.</summary>
public sealed class StorageOptions
{
    public const string Section = "Storage";

    /// <summary>Where this node keeps its durable state; each node needs its own.</summary>
    public string DataDirectory { get; set; } = "";

    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(DataDirectory))
            throw new OptionsValidationError("Storage:DataDirectory", "must be set to a folder this node owns");
    }
}
