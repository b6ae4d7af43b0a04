namespace Aspire.Hosting.ApplicationModel;

/// <summary>
/// The cluster as other projects reference it: a Redis connection string (StackExchange.Redis' format)
/// to the gateway's RESP endpoint, which always reaches the primary, with the client password. A project
/// given <c>.WithReference(kv)</c> calls <c>builder.AddRedisClient("kv")</c> (Aspire.StackExchange.Redis).
/// </summary>
public sealed class KvClusterResource(string name, EndpointReference gatewayResp, ParameterResource password)
    : Resource(name), IResourceWithConnectionString
{
    public ReferenceExpression ConnectionStringExpression =>
        ReferenceExpression.Create($"{gatewayResp.Property(EndpointProperty.HostAndPort)},password={password}");
}
