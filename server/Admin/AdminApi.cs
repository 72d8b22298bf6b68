using ChatApp.Contracts;
using ChatApp.Server.Auth;
using ChatApp.Server.Limits;
using ChatApp.Server.Messages;

namespace ChatApp.Server.Admin;

/// <summary>The admin-only API (accounts, rooms, messages), and room deletion for owners.</summary>
public static class AdminApi
{
    public static IHostApplicationBuilder AddChatAdmin(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<Moderation>();
        return builder;
    }

    public static IEndpointRouteBuilder MapAdminApi(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup(ChatPaths.Admin).RequireAuthorization(TokenClaims.AdminPolicy).WithTags("Admin").LimitedBy(LimitKind.Calls);
        admin.MapPost("/users/{userName}/disable", async (string userName, ChatUser user, Moderation moderation, CancellationToken ct) =>
        {
            await moderation.DisableAsync(user, userName, ct);
            return TypedResults.NoContent();
        });
        admin.MapPost("/users/{userName}/enable", async (string userName, Moderation moderation, CancellationToken ct) =>
        {
            await moderation.EnableAsync(userName, ct);
            return TypedResults.NoContent();
        });
        admin.MapPut("/users/{userName}/admin", async (string userName, Moderation moderation, CancellationToken ct) =>
        {
            await moderation.SetAdminAsync(userName, isAdmin: true, ct);
            return TypedResults.NoContent();
        });
        admin.MapDelete("/users/{userName}/admin", async (string userName, Moderation moderation, CancellationToken ct) =>
        {
            await moderation.SetAdminAsync(userName, isAdmin: false, ct);
            return TypedResults.NoContent();
        });
        admin.MapPut("/rooms/{room}/archive", async (string room, Moderation moderation, CancellationToken ct) =>
        {
            await moderation.SetArchivedAsync(room, archived: true, ct);
            return TypedResults.NoContent();
        });
        admin.MapDelete("/rooms/{room}/archive", async (string room, Moderation moderation, CancellationToken ct) =>
        {
            await moderation.SetArchivedAsync(room, archived: false, ct);
            return TypedResults.NoContent();
        });
        admin.MapDelete("/rooms/{room}/messages/{seq:long}", (string room, long seq, ChatUser user, MessageLog log, CancellationToken ct) =>
            log.RemoveAsModeratorAsync(user, room, seq, ct));

        // Owners delete their own rooms, admins any room: one endpoint, the command decides.
        app.MapDelete($"{ChatPaths.Rooms}/{{room}}", async (string room, ChatUser user, HttpContext http, Moderation moderation, CancellationToken ct) =>
        {
            await moderation.DeleteRoomAsync(user, TokenClaims.IsAdmin(http.User), room, ct);
            return TypedResults.NoContent();
        }).RequireAuthorization().WithTags("Rooms").LimitedBy(LimitKind.Messages); // as the hub's DeleteRoom: every member hears of it
        return app;
    }
}
