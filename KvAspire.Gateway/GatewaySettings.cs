using KvAspire.Settings;

namespace KvAspire.Gateway;

/// <summary>
/// The gateway's options, bound from <c>Gateway:</c> and checked at start by the validator generated from their
/// attributes (ranges) and by <see cref="GatewayRules"/>, as the node's are (<c>NodeSettings</c>). <c>Auth:</c> is
/// registered with the client authentication both share.
/// </summary>
public static class GatewaySettings
{
    public static IServiceCollection AddGatewaySettings(this IServiceCollection services)
    {
        services.AddSettings<GatewayOptions>(GatewayOptions.Section)
            .ValidateWith<GatewayOptions, GatewayOptionsValidator>().ValidateWith<GatewayOptions, GatewayRules>();
        return services.ValidateSettingsWhenServerIsBuilt();
    }
}
