using Microsoft.AspNetCore.Http.HttpResults;
using StackExchange.Redis;

namespace KvAspire.SampleConsumer;

/// <summary>Notes kept in the cluster under <c>note:{id}</c>: the whole of what this sample does.</summary>
public static class NotesApi
{
    private const int MaxIdLength = 200;
    private const int MaxNoteBytes = 64 * 1024;

    public static IEndpointRouteBuilder MapNotesApi(this IEndpointRouteBuilder routes)
    {
        var notes = routes.MapGroup("/notes/{id}");
        notes.MapPut("", PutAsync);
        notes.MapGet("", GetAsync);
        return routes;
    }

    private static async Task<Results<NoContent, ValidationProblem>> PutAsync(string id, HttpRequest request, IConnectionMultiplexer redis)
    {
        using var body = new MemoryStream();
        await request.Body.CopyToAsync(body);
        if (Validate(id, body.Length) is { } problem)
            return problem;
        await redis.GetDatabase().StringSetAsync(Key(id), body.ToArray());
        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<string>, NotFound, ValidationProblem>> GetAsync(string id, IConnectionMultiplexer redis)
    {
        if (Validate(id, 0) is { } problem)
            return problem;
        var note = await redis.GetDatabase().StringGetAsync(Key(id));
        return note.IsNull ? TypedResults.NotFound() : TypedResults.Ok((string)note!);
    }

    private static ValidationProblem? Validate(string id, long noteBytes)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(id) || id.Length > MaxIdLength)
            errors["id"] = [$"an id is 1 to {MaxIdLength} characters, not blank"];
        if (noteBytes > MaxNoteBytes)
            errors["body"] = [$"a note is at most {MaxNoteBytes} bytes; this one is {noteBytes}"];
        return errors.Count == 0 ? null : TypedResults.ValidationProblem(errors);
    }

    private static RedisKey Key(string id) => $"note:{id}";
}
