using System.Diagnostics;
using System.Text.Json.Serialization;
using KvAspire.Node.Cluster;
using KvAspire.Node.Telemetry;
using KvAspire.Node.Transport;
using KvAspire.Security;
using Microsoft.Extensions.Options;

namespace KvAspire.Node.Api.Http;

/// <summary>
/// Failure drills for operators (the dashboard's Crash and Isolate commands):
/// <c>POST /admin/crash</c> and <c>POST /admin/isolate?seconds=30</c>, and the chaos suite's one-way
/// partition <c>POST /admin/cut?to=node2&amp;seconds=10</c> (<see cref="PeerCutApi"/>). Off unless
/// <c>Admin:Enabled=true</c>; when off every admin route answers 403 <c>{error:"admin_disabled"}</c>
/// (403 rather than 404 so a caller can tell "switched off here" from "no such route"). On or off,
/// a caller without <c>Authorization: Bearer &lt;Admin:Secret&gt;</c> gets 401 first.
/// </summary>
public static class AdminApi
{
    private const int DefaultIsolationSeconds = 30;

    /// <summary>Time between the 202 leaving and the kill, so the caller sees the answer before the socket dies.</summary>
    private static readonly TimeSpan CrashFlushDelay = TimeSpan.FromMilliseconds(100);

    public static IEndpointRouteBuilder MapAdminApi(this IEndpointRouteBuilder app)
    {
        var options = app.ServiceProvider.GetRequiredService<IOptions<AdminOptions>>().Value;
        Log.AdminEndpoints(app.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(AdminApi).FullName!),
            options.Enabled ? "on" : "off");
        var admin = app.MapGroup("/admin").RequireAuthorization(ClientAuthentication.AdminPolicy).AddEndpointFilter(async (context, next) =>
            context.HttpContext.RequestServices.GetRequiredService<IOptions<AdminOptions>>().Value.Enabled
                ? await next(context)
                : Disabled());
        admin.MapPost("/crash", Crash);
        admin.MapPost("/isolate", Isolate);
        admin.MapPeerCut();
        return app;
    }

    private static IResult Disabled() => new ApiError("admin_disabled",
            "admin endpoints are off on this node; set Admin:Enabled=true (the AppHost does in Development)")
        .ToProblem(StatusCodes.Status403Forbidden);

    /// <summary>Answers 202, then kills this process with SIGKILL: no shutdown hooks, no flush, as kill -9 would.</summary>
    private static IResult Crash(HttpResponse response, IOptions<ClusterOptions> cluster, ILoggerFactory loggers)
    {
        var processId = Environment.ProcessId;
        var logger = loggers.CreateLogger(typeof(AdminApi).FullName!);
        response.OnCompleted(() =>
        {
            _ = Task.Delay(CrashFlushDelay).ContinueWith(_ =>
            {
                Log.CrashRequested(logger, processId);
                Process.GetCurrentProcess().Kill();
            }, TaskScheduler.Default);
            return Task.CompletedTask;
        });
        return TypedResults.Accepted((string?)null,
            new AdminAnswer(cluster.Value.NodeId, $"process {processId} is being killed (SIGKILL)"));
    }

    private static IResult Isolate(int? seconds, PeerIsolation isolation, IOptions<ClusterOptions> cluster, IOptions<AdminOptions> admin)
    {
        var duration = TimeSpan.FromSeconds(seconds ?? DefaultIsolationSeconds);
        var max = admin.Value.MaxIsolation;
        if (duration <= TimeSpan.Zero || duration > max)
            return ErrorResults.BadRequest("invalid_duration", $"seconds must be between 1 and {max.TotalSeconds:0} (Admin:MaxIsolation)");
        var until = isolation.Isolate(duration);
        return TypedResults.Ok(new AdminAnswer(cluster.Value.NodeId,
            $"dropping all peer traffic for {duration.TotalSeconds:0} s; heals by itself at {until:O}", until));
    }
}

/// <summary>The JSON body of a successful admin answer.</summary>
public sealed record AdminAnswer(
    string Node,
    string Message,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTimeOffset? IsolatedUntil = null);
