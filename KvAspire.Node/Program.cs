using KvAspire.Node;
using KvAspire.Node.Api.Http;
using KvAspire.Node.Storage;
using KvAspire.Node.Transport;
using KvAspire.Security;
using KvAspire.Settings;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();

// The settings are checked and the stored state is read while the app is built: Kestrel is configured then, and the
// RESP listener needs the store (NodeSettings).
try
{
    builder.AddKvNode();
    var app = builder.Build();
    app.UseClientAuthentication();
    app.MapDefaultEndpoints();
    app.MapKvApi();
    app.MapOpenApi();
    app.MapClusterApi();
    app.MapMembersApi();
    app.MapAdminApi();
    // Peers prove membership with their own credentials (PeerCredentials), not the client secret.
    app.MapGrpcService<PeerService>().AllowAnonymous();
    app.Run();
    // Non-zero when the host loop stopped the node (NodeExitCodes.DiskFailed).
    return Environment.ExitCode;
}
catch (Exception e) when (BadSetting.Describe(e) is { } problems)
{
    Console.Error.WriteLine($"KvAspire.Node cannot start: {problems}");
    return NodeExitCodes.BadConfiguration;
}
catch (DamagedDataException e)
{
    // The operator's next step is in the message; a stack trace would only bury it.
    Console.Error.WriteLine($"KvAspire.Node cannot start: {e.Message}");
    return NodeExitCodes.DamagedData;
}
