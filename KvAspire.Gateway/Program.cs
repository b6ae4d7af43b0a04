using KvAspire.Gateway;
using KvAspire.Security;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddClientAuthentication();
builder.AddPrimaryFollowingProxy();

var app = builder.Build();
// Clients authenticate here with the same Auth:Password the nodes hold; their bearer header is
// forwarded to the node unchanged.
app.UseClientAuthentication();
app.MapDefaultEndpoints();
app.MapClusterApi();
app.MapOpenApi();
app.MapReverseProxy(pipeline => pipeline.UsePrimaryRouting());
app.Run();
