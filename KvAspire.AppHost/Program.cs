// The topology: node1..nodeN (a Raft group, every node referencing every other one) and the
// gateway that follows the primary. Settings passed as AppHost arguments (e.g. --Cluster:Nodes=5,
// --Cluster:Timing=Fast) reach every node; see Extensions.cs.
// Plain HTTP throughout, with no developer certificate needed: every project says so (WithoutHttpsCertificate),
// or the dashboard would open on a "No trusted development certificate" error for a certificate nothing uses.
var builder = DistributedApplication.CreateBuilder(args);

var nodeNames = builder.GetNodeNames();
// Spare nodes (Cluster:Spares, default 2) are declared but not started: start one from the dashboard, then add it
// to the cluster with the members commands on the primary (docs/membership.md).
var spareNames = builder.GetSpareNames(nodeNames.Count);
var dataRoot = builder.GetDataRoot();
var adminEnabled = builder.IsNodeAdminEnabled();

var respPorts = builder.GetRespPorts(nodeNames.Count + spareNames.Count);

// One client secret for RESP AUTH and HTTP bearer tokens (nodes and gateway; peers derive their proof
// from it), and an admin secret for the actions that change the cluster.
var password = builder.AddGeneratedSecret(Extensions.PasswordParameter, "Client password: RESP AUTH and HTTP 'Authorization: Bearer'");
var adminSecret = builder.AddGeneratedSecret(Extensions.AdminSecretParameter, "Admin secret: step-down, crash, isolate");

var nodes = nodeNames.Concat(spareNames)
    .Select((name, i) => builder.AddProject<Projects.KvAspire_Node>(name, launchProfileName: null)
        .WithHttpEndpoint(name: "http", env: "KV_HTTP_PORT", isProxied: false)
        .WithHttpEndpoint(name: "peer", env: "KV_PEER_PORT", isProxied: false)
        .WithEndpoint(name: "resp", scheme: "redis", env: "KV_RESP_PORT", port: respPorts[i], isProxied: false)
        .WithEnvironment("Cluster__NodeId", name)
        .WithFoundingMembers(nodeNames)
        .WithEnvironment("Storage__DataDirectory", Path.Combine(dataRoot, name))
        .WithEnvironment("Auth__Password", password)
        .WithEnvironment("Admin__Secret", adminSecret)
        .WithClusterSettingsFrom(builder.Configuration)
        .WithHttpHealthCheck("/health", endpointName: "http")
        .WithoutPeerUrls()
        .WithoutHttpsCertificate()
        .RunAsBuiltAssembly()
        .WithNodeCommands(adminEnabled, adminSecret.Resource)
        .WithMembersCommands(adminSecret.Resource))
    .ToList();
foreach (var spare in nodes.Skip(nodeNames.Count))
    spare.WithExplicitStart();
NodeRoleWatcher.AddTo(builder, nodes, password.Resource);

foreach (var node in nodes)
{
    // Each node learns its peers from services__{peer}__peer__0 (and their Redis addresses, for ROLE
    // and -READONLY, from services__{peer}__resp__0); it never gets an entry for itself.
    foreach (var peer in nodes.Where(peer => peer != node))
    {
        node.WithReference(peer.GetEndpoint("peer"));
        node.WithReference(peer.GetEndpoint("resp"));
    }
}

// No WaitFor on the nodes: the gateway copes with unreachable nodes (503 until a primary is
// known), and one node that never starts must not keep the gateway down.
// Its RESP endpoint is one Redis address that follows the primary (6378, below node1's), for clients without Sentinel.
var gateway = builder.AddProject<Projects.KvAspire_Gateway>("gateway", launchProfileName: null)
    .WithHttpEndpoint(name: "http", port: 5080) // fixed for the README's curl tour; tests randomize it
    .WithEndpoint(name: "resp", scheme: "redis", env: "Gateway__RespPort", port: builder.GetGatewayRespPort(nodeNames.Count), isProxied: false)
    .WithExternalHttpEndpoints()
    .WithoutHttpsCertificate()
    .WithEnvironment("Auth__Password", password)
    .WithEnvironment("Admin__Secret", adminSecret) // checked before /cluster/members is forwarded to the primary
    .WithTracingFrom(builder.Configuration)
    .WithHttpHealthCheck("/health", endpointName: "http");

foreach (var node in nodes)
{
    gateway.WithReference(node.GetEndpoint("http"));
    gateway.WithReference(node.GetEndpoint("resp"));
}

// What other projects reference: a Redis connection string to the gateway's RESP endpoint.
var kv = builder.AddResource(new KvClusterResource("kv", gateway.GetEndpoint("resp"), password.Resource))
    .WithInitialState(new CustomResourceSnapshot { ResourceType = "KvCluster", State = KnownResourceStates.Running, Properties = [] });

builder.AddProject<Projects.KvAspire_SampleConsumer>("sample-consumer", launchProfileName: null)
    .WithHttpEndpoint(name: "http")
    .WithReference(kv)
    .WaitFor(gateway)
    .WithoutHttpsCertificate()
    .WithHttpHealthCheck("/health", endpointName: "http");

builder.Build().Run();
