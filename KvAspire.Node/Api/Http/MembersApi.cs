using KvAspire.Node.Cluster;
using KvAspire.Node.Consensus;
using KvAspire.Security;

namespace KvAspire.Node.Api.Http;

/// <summary>
/// Membership at runtime, on the primary and behind the admin secret (docs/membership.md):
/// <c>GET /cluster/members</c>; <c>POST /cluster/members</c> with <c>{"id":"node4"}</c> adds a learner;
/// <c>POST /cluster/members/{id}/promote</c> makes a caught-up learner a voter; <c>DELETE /cluster/members/{id}</c>
/// removes a member. A change answers once its configuration has committed. 400: a malformed name or body; 404: no such
/// member; 409: another change is under way, or the change does not fit the membership (already a member, a learner not
/// caught up, the last voter); 421: this node is not the primary; 503: no quorum committed it in time. A refused change
/// writes nothing; an accepted one is in the log whole or not at all.
/// </summary>
public static class MembersApi
{
    public static IEndpointRouteBuilder MapMembersApi(this IEndpointRouteBuilder app)
    {
        var members = app.MapGroup("/cluster/members").RequireAuthorization(ClientAuthentication.AdminPolicy);
        members.MapGet("", List);
        members.MapPost("", AddAsync);
        members.MapPost("/{id}/promote", PromoteAsync);
        members.MapDelete("/{id}", RemoveAsync);
        return app;
    }

    /// <summary>The body of <c>POST /cluster/members</c>.</summary>
    public sealed record NewMember(string? Id);

    /// <summary>One member as the primary sees it: its log position and whether it answers.</summary>
    public sealed record MemberView(string Node, bool Voter, long? MatchIndex, long? Lag, bool InContact);

    /// <summary>The configuration in force on the primary.</summary>
    public sealed record MembersAnswer(string? Primary, long Term, IReadOnlyList<string> Voters, IReadOnlyList<string> Learners,
        bool Changing, IReadOnlyList<MemberView> Members, string? Message = null);

    private static IResult List(RaftHost host) =>
        host.Status is { Role: Role.Primary } ? TypedResults.Ok(Answer(host, null)) : ErrorResults.NotPrimary(host.Status.Primary, host.Status.Term);

    private static Task<IResult> AddAsync(NewMember? body, RaftHost host, HttpResponse response) =>
        body?.Id is not { } id
            ? Task.FromResult(ErrorResults.BadRequest("invalid_member", "the body must be {\"id\": \"<name>\"}, naming the node to add as a learner"))
            : ChangeAsync(new MembershipChange(MembershipChangeKind.AddLearner, id), host, response);

    private static Task<IResult> PromoteAsync(string id, RaftHost host, HttpResponse response) =>
        ChangeAsync(new MembershipChange(MembershipChangeKind.Promote, id), host, response);

    private static Task<IResult> RemoveAsync(string id, RaftHost host, HttpResponse response) =>
        ChangeAsync(new MembershipChange(MembershipChangeKind.Remove, id), host, response);

    private static async Task<IResult> ChangeAsync(MembershipChange change, RaftHost host, HttpResponse response)
    {
        if (!MemberRules.IsValidId(change.Id))
            return ErrorResults.BadRequest("invalid_member",
                $"a member's name is 1-{MemberRules.MaxIdLength} letters, digits, '-', '_' or '.'");
        var (result, committed) = await host.ChangeMembershipAsync(change);
        if (result is not { } core)
            return ErrorResults.From(committed!, response);
        if (!core.Accepted)
            return Refused(core, change, response);
        if (committed is not WriteOutcome.Written)
            return ErrorResults.From(committed!, response);
        await host.StatusChanged; // the loop publishes the new configuration's view at the end of its batch
        return TypedResults.Ok(Answer(host, Describe(change, core)));
    }

    private static IResult Refused(MembershipChangeResult result, MembershipChange change, HttpResponse response) => result.Status switch
    {
        MembershipChangeStatus.NotPrimary => ErrorResults.NotPrimary(result.Primary, result.Term),
        MembershipChangeStatus.NoQuorum => ErrorResults.Unavailable(response, "no_quorum", "too few voters of the new configuration "
            + "answer the primary (or too many are still joining) for it to commit anything; nothing was changed", result.Term),
        MembershipChangeStatus.UnknownMember => new ApiError("unknown_member", change.Kind == MembershipChangeKind.Promote
            ? $"'{change.Id}' is not a learner of this cluster; add it first with POST /cluster/members"
            : $"'{change.Id}' is not a member of this cluster").ToProblem(StatusCodes.Status404NotFound),
        var status => new ApiError(status switch
        {
            MembershipChangeStatus.InProgress => "change_in_progress",
            MembershipChangeStatus.AlreadyMember => "already_member",
            MembershipChangeStatus.NotCaughtUp => "learner_not_caught_up",
            MembershipChangeStatus.LastVoter => "last_voter",
            _ => "cluster_full",
        }, status switch
        {
            MembershipChangeStatus.InProgress => "another membership change has not committed yet, or this primary has not yet "
                + "committed in its term, or it is handing over; retry shortly",
            MembershipChangeStatus.AlreadyMember => change.Kind == MembershipChangeKind.Promote
                ? $"'{change.Id}' is already a voter"
                : $"'{change.Id}' is already a member",
            MembershipChangeStatus.NotCaughtUp => $"'{change.Id}' has not caught up with the primary's log yet (or does not answer); "
                + "promote it once GET /cluster/members shows its lag small",
            MembershipChangeStatus.LastVoter => $"'{change.Id}' is the only voter; add and promote another before removing it",
            _ => $"the cluster already has {MemberRules.MaxMembers} members",
        }, Term: result.Term).ToProblem(StatusCodes.Status409Conflict),
    };

    private static string Describe(MembershipChange change, MembershipChangeResult result) => change.Kind switch
    {
        MembershipChangeKind.AddLearner => $"{change.Id} joined as a learner (configuration entry {result.Index})",
        MembershipChangeKind.Promote => $"{change.Id} is a voter (configuration entry {result.Index})",
        _ => $"{change.Id} was removed (configuration entry {result.Index})",
    };

    private static MembersAnswer Answer(RaftHost host, string? message)
    {
        var status = host.Status;
        var members = new List<MemberView>(status.Peers.Count + 1);
        if (status.Voters.Contains(status.Node) || status.Learners.Contains(status.Node))
            members.Add(new MemberView(status.Node, status.Voters.Contains(status.Node), status.LastLogIndex, 0, InContact: true));
        foreach (var peer in status.Peers)
            members.Add(new MemberView(peer.Node, status.Voters.Contains(peer.Node), peer.MatchIndex, peer.Lag, peer.InContact));
        return new MembersAnswer(status.Primary, status.Term, status.Voters, status.Learners, status.MembershipChanging, members, message);
    }
}
