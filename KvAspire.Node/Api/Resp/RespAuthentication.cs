using System.Buffers;
using KvAspire.Security;
using static KvAspire.Node.Api.Resp.RespWriter;

namespace KvAspire.Node.Api.Resp;

/// <summary>
/// <c>AUTH [user] password</c> and HELLO's <c>AUTH user password</c> with Redis' semantics for the one
/// <c>default</c> user. With <c>Auth:Password</c> set, a match authenticates the connection and
/// anything else is <c>-WRONGPASS</c>, logged and counted against the client's address; an address
/// with too many failures is answered without a comparison and disconnected. With no password set,
/// Redis' own answers for a server without one.
/// </summary>
public sealed class RespAuthentication(AccessControl access)
{
    private const string DefaultUser = "default";
    private const string Via = "RESP AUTH";

    public void Auth(RespSession session, RespArguments args, IBufferWriter<byte> output)
    {
        if (args.Count > 3)
            WriteError(output, RespErrors.Syntax);
        else if (!access.Client.IsSet && args.Count == 2)
            WriteError(output, RespErrors.NoPassword);
        else if (TryAuthenticate(session, args.Count == 3 ? args.Text(1) : DefaultUser, args.Text(args.Count - 1), output))
            WriteRaw(output, RespLiterals.Ok);
    }

    /// <summary>HELLO's <c>AUTH user password</c> at <paramref name="userIndex"/>; false once the error is written.</summary>
    public bool TryHelloAuth(RespSession session, RespArguments args, int userIndex, IBufferWriter<byte> output) =>
        TryAuthenticate(session, args.Text(userIndex), args.Text(userIndex + 1), output);

    private bool TryAuthenticate(RespSession session, string user, string password, IBufferWriter<byte> output)
    {
        // No password configured: like Redis, the default user has none and accepts any.
        if (!access.Client.IsSet)
        {
            if (user == DefaultUser)
                return true;
            WriteError(output, RespErrors.WrongPass);
            return false;
        }
        var result = access.Check(access.Client, session.Remote, password, Via, out var retryAfter);
        if (result == AccessResult.Granted && user != DefaultUser)
        {
            access.Fail(access.Client, session.Remote, Via);
            result = AccessResult.WrongSecret;
        }
        switch (result)
        {
            case AccessResult.Granted:
                session.Authenticated = true;
                return true;
            case AccessResult.Throttled:
                WriteError(output, RespErrors.TooManyAuthFailures(retryAfter));
                session.Closing = true;
                return false;
            default:
                WriteError(output, RespErrors.WrongPass);
                return false;
        }
    }
}
