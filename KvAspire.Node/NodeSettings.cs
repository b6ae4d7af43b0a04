using KvAspire.Node.Api;
using KvAspire.Node.Api.Http;
using KvAspire.Node.Api.Resp;
using KvAspire.Node.Cluster;
using KvAspire.Node.Storage;
using KvAspire.Settings;

namespace KvAspire.Node;

/// <summary>
/// Every options type a node reads, bound from its section and checked at start by the validators generated from its
/// attributes (ranges) and by its rules between fields, all of them as the app is built (Kestrel's listeners read
/// some). A consumer takes <c>IOptions&lt;T&gt;</c>, whose first reader runs the same validators.
/// </summary>
public static class NodeSettings
{
    public static IServiceCollection AddNodeSettings(this IServiceCollection services)
    {
        services.AddSettings<NodePorts>(section: null).ValidateWith<NodePorts, NodePortsValidator>();
        services.AddSettings<ClusterOptions>(ClusterOptions.Section)
            .ValidateWith<ClusterOptions, ClusterOptionsValidator>().ValidateWith<ClusterOptions, ClusterRules>();
        services.AddSettings<ReplicationOptions>(ReplicationOptions.Section).ValidateWith<ReplicationOptions, ReplicationOptionsValidator>();
        services.AddSettings<LimitsOptions>(LimitsOptions.Section)
            .ValidateWith<LimitsOptions, LimitsOptionsValidator>().ValidateWith<LimitsOptions, LimitsRules>();
        services.AddSettings<StorageOptions>(StorageOptions.Section)
            .ValidateWith<StorageOptions, StorageOptionsValidator>().ValidateWith<StorageOptions, StorageRules>();
        services.AddSettings<AdminOptions>(AdminOptions.Section).ValidateWith<AdminOptions, AdminOptionsValidator>();
        services.AddSettings<RespOptions>(RespOptions.Section)
            .ValidateWith<RespOptions, RespOptionsValidator>().ValidateWith<RespOptions, RespRules>();
        return services.ValidateSettingsWhenServerIsBuilt();
    }
}
