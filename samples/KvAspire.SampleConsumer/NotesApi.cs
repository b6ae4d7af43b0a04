using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Caching.Distributed;

namespace KvAspire.SampleConsumer;

/// <summary>Notes kept in the cluster as cache entries <c>note:{id}</c> that live a week past their last read: the
/// whole of what this sample does.</summary>
public static class NotesApi
{
    private const int MaxIdLength = 200;
    private const int MaxNoteBytes = 64 * 1024;
    private static readonly DistributedCacheEntryOptions Lifetime = new() { SlidingExpiration = TimeSpan.FromDays(7) };

    public static IEndpointRouteBuilder MapNotesApi(this IEndpointRouteBuilder routes)
    {
        var notes = routes.MapGroup("/notes/{id}");
        notes.MapPut("", PutAsync);
        notes.MapGet("", GetAsync);
        return routes;
    }

    private static async Task<Results<NoContent, ValidationProblem>> PutAsync(string id, HttpRequest request, IDistributedCache cache)
    {
        using var body = new MemoryStream();
        await request.Body.CopyToAsync(body);
        if (Validate(id, body.Length) is { } problem)
            return problem;
        await cache.SetAsync(Key(id), body.ToArray(), Lifetime);
        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<string>, NotFound, ValidationProblem>> GetAsync(string id, IDistributedCache cache)
    {
        if (Validate(id, 0) is { } problem)
            return problem;
        var note = await cache.GetAsync(Key(id));
        return note is null ? TypedResults.NotFound() : TypedResults.Ok(Encoding.UTF8.GetString(note));
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

    private static string Key(string id) => $"note:{id}";
}
