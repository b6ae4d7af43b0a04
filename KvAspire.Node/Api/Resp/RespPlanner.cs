using Microsoft.Extensions.Options;

namespace KvAspire.Node.Api.Resp;

/// <summary>Reads a data command's arguments into a <see cref="RespPlan"/>, by the planner of its kind.</summary>
public sealed class RespPlanner(IOptions<LimitsOptions> limits)
{
    public LimitsOptions Limits { get; } = limits.Value;

    /// <summary>The plan for <paramref name="command"/> (arity already checked); null for a command that has none
    /// (connection and server commands, SCAN, WAIT), which a transaction cannot hold.</summary>
    /// <param name="nowMs">The primary's clock: relative expiry becomes a deadline from it.</param>
    public RespPlan? Plan(RespCommandInfo command, RespArguments args, long nowMs)
    {
        var a = new RespPlanArgs(args, Limits, nowMs);
        try
        {
            return RespStringPlans.Plan(command.Id, a) ?? RespKeyPlans.Plan(command.Id, a) ?? RespCollectionPlans.Plan(command.Id, a)
                ?? RespSortedSetPlans.Plan(command.Id, a);
        }
        catch (RespRefusal refusal)
        {
            return new RespPlan.Refused(refusal.Message);
        }
    }
}
