using KvAspire.Gateway;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddPrimaryFollowingProxy();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapClusterApi();
app.MapReverseProxy(pipeline => pipeline.UsePrimaryRouting());
app.Run();
