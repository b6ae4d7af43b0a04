using KvAspire.Node;
using KvAspire.Node.Api.Http;
using KvAspire.Node.Transport;
using KvAspire.Security;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddKvNode();

var app = builder.Build();
app.UseClientAuthentication();
app.MapDefaultEndpoints();
app.MapKvApi();
app.MapClusterApi();
app.MapAdminApi();
// Peers prove membership with their own credentials (PeerCredentials), not the client secret.
app.MapGrpcService<PeerService>().AllowAnonymous();
app.Run();
