using KvAspire.Node.Api;
using KvAspire.Node.Api.Resp;
using KvAspire.Node.Consensus;
using KvAspire.Node.StateMachine;
using Microsoft.Extensions.Options;

namespace KvAspire.Fuzz;

/// <summary>
/// The data commands a RESP reading produced, taken on as a node takes them: planned from their arguments, then
/// each write encoded as its log entry, decoded back and applied to a store, each read answered from it.
/// Expected: refusals carry their error text; nothing throws; an entry decodes to the command it was made from.
/// </summary>
internal static class RespPlanCheck
{
    private const long Now = 1_700_000_000_000;
    private static readonly RespPlanner Planner = new(Options.Create(new LimitsOptions { MaxElementsPerKey = 64, MaxValueBytes = 4096, MaxElementBytes = 1024 }));

    public static void Run(IEnumerable<byte[][]> commands)
    {
        var store = new KvStore();
        foreach (var items in commands)
        {
            var arguments = RespArguments.Of(items);
            if (RespCommandTable.Find(arguments) is not { } command || !command.AcceptsArity(arguments.Count))
                continue;
            switch (Planner.Plan(command, arguments, Now))
            {
                case RespPlan.Refused { Error: var error } when string.IsNullOrEmpty(error):
                    throw new FuzzInvariantException($"{command.Name} was refused without an error text");
                case RespPlan.Write write:
                    Apply(store, write.Command);
                    break;
                case RespPlan.Read read:
                    store.Read(read.Op, read.Key, read.Args, Now);
                    Apply(store, read.ToCommand(Now));
                    break;
                case RespPlan.RandomMembers random:
                    store.Read(ReadOp.SMembers, random.Key, [], Now);
                    break;
            }
        }
    }

    private static void Apply(KvStore store, KvCommand command)
    {
        var payload = command.Encode();
        if (!KvCommand.TryDecode(payload, out var decoded) || decoded.Op != command.Op || decoded.Key != command.Key
            || decoded.Args.Count != command.Args.Count)
            throw new FuzzInvariantException($"a {command.Op} entry does not decode to what it was made from");
        store.Apply(new Entry(store.AppliedIndex + 1, 1, payload));
    }
}
