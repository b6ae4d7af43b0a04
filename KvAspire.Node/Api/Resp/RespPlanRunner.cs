using System.Buffers;
using KvAspire.Node.Cluster;
using KvAspire.Node.StateMachine;
using static KvAspire.Node.Api.Resp.RespWriter;

namespace KvAspire.Node.Api.Resp;

/// <summary>Runs a data command's <see cref="RespPlan"/> on its own: writes through the log, reads on the confirmed primary.</summary>
public sealed class RespPlanRunner(RespPlanner planner, KvCommands commands, RespDirectory directory)
{
    public RespPlanner Planner => planner;

    public async ValueTask RunAsync(RespSession session, RespCommandInfo command, RespArguments args, IBufferWriter<byte> output,
        CancellationToken cancellationToken)
    {
        var plan = planner.Plan(command, args, commands.NowMs) ?? throw new InvalidOperationException($"{command.Name} has no plan.");
        if (plan is RespPlan.RandomMembers random)
            plan = await DecideAsync(session, random, cancellationToken);
        switch (plan)
        {
            case RespPlan.Refused refused:
                WriteError(output, refused.Error);
                break;
            case RespPlan.Answer answer:
                RespReplyWriter.Write(output, answer.Reply);
                break;
            case RespPlan.Write write:
                var written = await commands.WriteAsync(write.Name, write.Command, cancellationToken);
                session.Wrote(written);
                Reply(output, written);
                break;
            case RespPlan.Read read:
                var outcome = await commands.ReadAsync(read.Name, read.Op, read.Key, read.Args, cancellationToken, session.Reads);
                if (outcome is ReadOutcome.Reply reply)
                    RespReplyWriter.Write(output, reply.Value);
                else
                    WriteError(output, RespRefusals.Of(outcome, directory));
                break;
        }
    }

    /// <summary>Writes what an applied write answered, or why it was not.</summary>
    public void Reply(IBufferWriter<byte> output, WriteOutcome outcome)
    {
        if (outcome is WriteOutcome.Written { Reply: { } reply })
            RespReplyWriter.Write(output, reply);
        else
            WriteError(output, RespRefusals.Of(outcome, directory));
    }

    /// <summary>
    /// SPOP and SRANDMEMBER: the members are chosen here, on the primary, from its confirmed view of the set; a pop
    /// becomes the removal of exactly those members, so every node removes the same ones.
    /// </summary>
    public async Task<RespPlan> DecideAsync(RespSession session, RespPlan.RandomMembers random, CancellationToken cancellationToken)
    {
        var outcome = await commands.ChooseMembersAsync(random.Pop ? "SPOP" : "SRANDMEMBER", random.Key, random.Count ?? 1,
            distinct: random.Pop, cancellationToken, session.Reads);
        if (outcome is not ReadOutcome.Reply { Value: var reply })
            return new RespPlan.Refused(RespRefusals.Of(outcome, directory));
        if (reply is not CommandReply.Array { Items: var chosen })
            return new RespPlan.Answer(reply);
        if (!random.Pop)
            return new RespPlan.Answer(random.Count is null ? chosen.FirstOrDefault() ?? CommandReply.Null : new CommandReply.Array(chosen));
        if (chosen.Count == 0)
            return new RespPlan.Answer(random.Count is null ? CommandReply.Null : CommandReply.EmptyArray);
        return new RespPlan.Write("SPOP", SetOps.PopEntry(random.Key, random.Count, [.. chosen.Select(m => ((CommandReply.Bulk)m).Value)],
            Random.Shared.NextInt64(), commands.NowMs));
    }
}
