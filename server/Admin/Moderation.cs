using ChatApp.Server.Auth;
using ChatApp.Server.Data;
using ChatApp.Server.Errors;
using ChatApp.Server.Live;
using ChatApp.Server.Messages;
using ChatApp.Server.Rooms;

namespace ChatApp.Server.Admin;

/// <summary>What admins (and room owners, for their rooms) do, and what follows live: sessions closed, members told.</summary>
public sealed class Moderation(DatabaseWriter writer, SessionConnections sessions, RoomBroadcaster broadcaster, TimeProvider clock)
{
    /// <summary>Disables the account; its sessions end and their connections close at once on this node (within seconds on others).</summary>
    public async Task DisableAsync(ChatUser admin, string userName, CancellationToken cancellationToken)
    {
        if (string.Equals(admin.Name, userName, StringComparison.OrdinalIgnoreCase))
        {
            throw ChatException.Invalid("You cannot disable your own account.");
        }

        sessions.End(await writer.SubmitAsync(new SetUserDisabled(userName, disabled: true, clock.GetUtcNow()), cancellationToken));
    }

    public Task EnableAsync(string userName, CancellationToken cancellationToken) =>
        writer.SubmitAsync(new SetUserDisabled(userName, disabled: false, clock.GetUtcNow()), cancellationToken);

    /// <summary>Takes effect at the user's next login or refresh, which is when a new access token is issued.</summary>
    public Task SetAdminAsync(string userName, bool isAdmin, CancellationToken cancellationToken) =>
        writer.SubmitAsync(new SetUserAdmin(userName, isAdmin), cancellationToken);

    public Task SetArchivedAsync(string room, bool archived, CancellationToken cancellationToken) =>
        writer.SubmitAsync(new SetRoomArchived(RoomNames.Normalize(room), archived, clock.GetUtcNow()), cancellationToken);

    /// <summary>Deletes the room for everyone; each member hears <c>RoomLeft</c>, after the commit has taken their connections out of its group.</summary>
    public async Task DeleteRoomAsync(ChatUser caller, bool isAdmin, string room, CancellationToken cancellationToken)
    {
        var name = RoomNames.Normalize(room);
        var members = await writer.SubmitAsync(new DeleteRoom(caller, isAdmin, name, clock.GetUtcNow()), cancellationToken);
        foreach (var member in members)
        {
            broadcaster.Send(clients => clients.User(member.ToString(System.Globalization.CultureInfo.InvariantCulture)).RoomLeft(name));
        }
    }
}
