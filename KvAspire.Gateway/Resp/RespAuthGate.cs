using System.Net;
using KvAspire.Security;
using Microsoft.AspNetCore.Connections;

namespace KvAspire.Gateway.Resp;

/// <summary>
/// With <c>Auth:Password</c> set, the first command of a connection to the gateway's RESP endpoint must
/// authenticate it (<c>AUTH [default] password</c>, or <c>HELLO ... AUTH default password</c>), checked here
/// against the gateway's own copy of the password. Failures then count against the client's own address:
/// had they reached a node, they would all count against the gateway's one address there, and one client
/// with a wrong password would lock every gateway client out for <c>Auth:FailureWindow</c>. A connection
/// that passes is forwarded from its first byte, AUTH included, so the node authenticates it as well.
/// </summary>
public sealed class RespAuthGate(AccessControl access)
{
    private const string DefaultUser = "default";
    private const string Via = "RESP AUTH at the gateway";

    /// <summary>Pass: forward the connection. Otherwise <paramref name="Error"/> (null: the client left) is answered and it is closed.</summary>
    public readonly record struct Verdict(bool Pass, string? Error);

    public async Task<Verdict> CheckAsync(ConnectionContext client, CancellationToken closing)
    {
        if (!access.Client.IsSet)
            return new Verdict(true, null);
        var input = client.Transport.Input;
        while (true)
        {
            var result = await input.ReadAsync(closing);
            var status = RespFirstCommand.TryRead(result.Buffer, out var arguments);
            if (status == RespFirstCommandStatus.Incomplete)
            {
                input.AdvanceTo(result.Buffer.Start, result.Buffer.End);
                if (result.IsCompleted)
                    return new Verdict(false, null);
                continue;
            }
            // Nothing consumed, nothing examined: the forwarder reads these same bytes first.
            input.AdvanceTo(result.Buffer.Start);
            return status == RespFirstCommandStatus.Invalid
                ? new Verdict(false, "ERR Protocol error: the first command must be AUTH (at most 10 arguments of 16 KiB)")
                : Check(arguments, (client.RemoteEndPoint as IPEndPoint)?.Address);
        }
    }

    private Verdict Check(List<string> arguments, IPAddress? remote)
    {
        if (!TryCredentials(arguments, out var user, out var password))
            return new Verdict(false, "NOAUTH Authentication required.");
        var result = access.Check(access.Client, remote, password, Via, out var retryAfter);
        if (result == AccessResult.Granted && user != DefaultUser)
        {
            access.Fail(access.Client, remote, Via);
            result = AccessResult.WrongSecret;
        }
        return result switch
        {
            AccessResult.Granted => new Verdict(true, null),
            AccessResult.Throttled => new Verdict(false,
                $"ERR too many failed authentication attempts from this address; retry in {Math.Ceiling(retryAfter.TotalSeconds):0} s"),
            _ => new Verdict(false, "WRONGPASS invalid username-password pair or user is disabled."),
        };
    }

    /// <summary><c>AUTH password</c>, <c>AUTH user password</c>, or HELLO's <c>AUTH user password</c> option.</summary>
    private static bool TryCredentials(List<string> arguments, out string user, out string password)
    {
        (user, password) = (DefaultUser, "");
        var command = arguments[0];
        if (command.Equals("AUTH", StringComparison.OrdinalIgnoreCase) && arguments.Count is 2 or 3)
        {
            (user, password) = arguments.Count == 2 ? (DefaultUser, arguments[1]) : (arguments[1], arguments[2]);
            return true;
        }
        if (!command.Equals("HELLO", StringComparison.OrdinalIgnoreCase))
            return false;
        var auth = arguments.FindIndex(2, argument => argument.Equals("AUTH", StringComparison.OrdinalIgnoreCase));
        if (auth < 0 || auth + 2 >= arguments.Count)
            return false;
        (user, password) = (arguments[auth + 1], arguments[auth + 2]);
        return true;
    }
}
