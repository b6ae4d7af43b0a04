using KvAspire.SampleConsumer;

// A project of the app model that uses the cluster as Aspire's Redis client: the AppHost's "kv" resource
// gives it the connection string (the gateway's RESP endpoint and the password).
var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddRedisClient("kv");

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapNotesApi();
app.Run();
