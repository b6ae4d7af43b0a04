using KvAspire.Node;
using KvAspire.Node.Api.Http;
using KvAspire.Node.Transport;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddKvNode();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapKvApi();
app.MapClusterApi();
app.MapAdminApi();
app.MapGrpcService<PeerService>();
app.Run();
