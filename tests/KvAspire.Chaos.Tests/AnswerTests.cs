using System.Net;
using KvAspire.Chaos.Linearizability;
using KvAspire.Chaos.Load;

namespace KvAspire.Chaos.Tests;

/// <summary>How each protocol's answers become results: an answer that means "nothing was done" is a failure, anything
/// that may have been applied is indeterminate, so the checker never judges a write that might have happened as absent.</summary>
public sealed class AnswerTests
{
    [Theory]
    [InlineData(OperationKind.Put, HttpStatusCode.OK, "", OpResult.Ok, null)]
    [InlineData(OperationKind.Get, HttpStatusCode.NotFound, "{\"error\":\"not_found\"}", OpResult.Ok, null)]
    [InlineData(OperationKind.Delete, HttpStatusCode.NotFound, "{\"error\":\"not_found\"}", OpResult.Ok, "false")]
    [InlineData(OperationKind.Delete, HttpStatusCode.OK, "", OpResult.Ok, "true")]
    [InlineData(OperationKind.PutIfAbsent, HttpStatusCode.OK, "", OpResult.Ok, "true")]
    [InlineData(OperationKind.PutIfAbsent, HttpStatusCode.PreconditionFailed, "{\"error\":\"precondition_failed\"}", OpResult.Ok, "false")]
    [InlineData(OperationKind.Put, HttpStatusCode.MisdirectedRequest, "{\"error\":\"not_primary\"}", OpResult.Failed, null)]
    [InlineData(OperationKind.Put, HttpStatusCode.ServiceUnavailable, "{\"error\":\"no_primary\"}", OpResult.Failed, null)]
    [InlineData(OperationKind.Put, HttpStatusCode.ServiceUnavailable, "{\"error\":\"overloaded\"}", OpResult.Failed, null)]
    [InlineData(OperationKind.Put, HttpStatusCode.ServiceUnavailable, "{\"error\":\"leadership_lost\"}", OpResult.Indeterminate, null)]
    [InlineData(OperationKind.Delete, HttpStatusCode.ServiceUnavailable, "{\"error\":\"timeout\"}", OpResult.Indeterminate, null)]
    [InlineData(OperationKind.PutIfAbsent, HttpStatusCode.BadGateway, "{\"error\":\"outcome_unknown\"}", OpResult.Indeterminate, null)]
    [InlineData(OperationKind.Put, HttpStatusCode.InternalServerError, "not json", OpResult.Indeterminate, null)]
    [InlineData(OperationKind.Get, HttpStatusCode.ServiceUnavailable, "{\"error\":\"no_primary\"}", OpResult.Failed, null)]
    public void Http(OperationKind kind, HttpStatusCode status, string body, OpResult result, string? output)
    {
        var answer = HttpProtocol.Interpret(kind, status, body);

        Assert.Equal(result, answer.Result);
        Assert.Equal(output, answer.Output);
    }

    [Theory]
    [InlineData(OperationKind.Put, "READONLY You can't write against a read only replica. The primary is node2 at 127.0.0.1:6380 (term 3).", OpResult.Failed)]
    [InlineData(OperationKind.Put, "LOADING this primary was just elected", OpResult.Failed)]
    [InlineData(OperationKind.Delete, "ERR overloaded: the primary has more requests queued", OpResult.Failed)]
    [InlineData(OperationKind.Put, "ERR the primary changed before the write was acknowledged; it may or may not have been applied", OpResult.Indeterminate)]
    [InlineData(OperationKind.PutIfAbsent, "NOREPLICAS the write was not acknowledged by a quorum within 5 s; it may still be applied", OpResult.Indeterminate)]
    [InlineData(OperationKind.Get, "ERR anything", OpResult.Failed)]
    public void RespErrors(OperationKind kind, string error, OpResult result)
    {
        Assert.Equal(result, RespProtocol.Classify(kind, error).Result);
    }

    [Theory]
    [InlineData(OperationKind.Get, '$', "v", "v")]
    [InlineData(OperationKind.Get, '$', null, null)]
    [InlineData(OperationKind.Delete, ':', "1", "true")]
    [InlineData(OperationKind.Delete, ':', "0", "false")]
    [InlineData(OperationKind.PutIfAbsent, '+', "OK", "true")]
    [InlineData(OperationKind.PutIfAbsent, '$', null, "false")]
    public void RespReplies(OperationKind kind, char type, string? text, string? output)
    {
        Assert.Equal(output, RespProtocol.Answered(kind, new Bench.Resp.RespValue(type, text)).Output);
    }
}
