using ChatApp.Contracts;
using ChatApp.Server.Auth;
using ChatApp.Server.Limits;
using ChatApp.Server.Rooms;

namespace ChatApp.Server.Messages;

/// <summary>REST for integrations: the same rules and the same writer as the hub, so hub members see REST posts live.</summary>
public static class MessagesApi
{
    public static IEndpointRouteBuilder MapMessagesApi(this IEndpointRouteBuilder app)
    {
        var rooms = app.MapGroup(ChatPaths.Rooms).RequireAuthorization().WithTags("Rooms").LimitedBy(LimitKind.Calls);
        rooms.MapGet("/", (ChatUser user, RoomQueries queries, CancellationToken ct) =>
            queries.ListAsync(user, ct));
        rooms.MapGet("/{room}/messages", (string room, long? beforeSeq, int? limit, ChatUser user, MessageLog log, CancellationToken ct) =>
            log.GetHistoryAsync(user, room, beforeSeq, limit, ct));
        rooms.MapPost("/{room}/messages", PostAsync).LimitedBy(LimitKind.Messages);
        rooms.MapGet("/{room}/members", (string room, ChatUser user, RoomQueries queries, CancellationToken ct) =>
            queries.MembersAsync(user, room, ct));
        app.MapGet(ChatPaths.Search, (string? q, string? room, long? beforeId, int? limit, ChatUser user, MessageSearch search, CancellationToken ct) =>
            search.SearchAsync(user, q, room, beforeId, limit, ct)).RequireAuthorization().WithTags("Search").LimitedBy(LimitKind.Calls);
        return app;
    }

    private static async Task<IResult> PostAsync(string room, PostMessageRequest request, ChatUser user, MessageLog log, CancellationToken ct)
    {
        var extras = request.ReplyTo is null && request.AttachmentIds is null
            ? null
            : new SendExtras { ReplyTo = request.ReplyTo, AttachmentIds = request.AttachmentIds ?? [] };
        var result = await log.SendAsync(user, room, request.Text, request.ClientMessageId, ct, extras);
        var location = $"{ChatPaths.Rooms}/{result.Message.Room}/messages?beforeSeq={result.Message.Seq + 1}&limit=1";
        // A retry of a stored message answers 200 with the original instead of 201.
        return result.Duplicate ? TypedResults.Ok(result.Message) : TypedResults.Created(location, result.Message);
    }
}
