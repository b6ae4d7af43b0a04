using KvAspire.Gateway;
using KvAspire.Security;
using KvAspire.Settings;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddClientAuthentication();
builder.AddPrimaryFollowingProxy();

// The settings are checked at start, or earlier by the first thing built that reads them (the proxy's destinations).
try
{
    var app = builder.Build();
    // Clients authenticate here with the same Auth:Password the nodes hold; their bearer header is
    // forwarded to the node unchanged.
    app.UseClientAuthentication();
    app.MapDefaultEndpoints();
    app.MapClusterApi();
    app.MapOpenApi();
    app.MapReverseProxy(pipeline => pipeline.UsePrimaryRouting());
    app.Run();
    return 0;
}
catch (Exception e) when (BadSetting.Describe(e) is { } problems)
{
    Console.Error.WriteLine($"KvAspire.Gateway cannot start: {problems}");
    return 78; // sysexits' EX_CONFIG, as the node's NodeExitCodes.BadConfiguration
}
