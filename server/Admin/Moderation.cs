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
        SetArchivedAsync(caller: null, isAdmin: true, room, archived, cancellationToken);

    /// <summary>The owner or an admin archives (or opens again) a room; those who can see it hear <c>RoomChanged</c> and refresh it.</summary>
    public async Task SetArchivedAsync(ChatUser? caller, bool isAdmin, string room, bool archived, CancellationToken cancellationToken)
    {
        var name = RoomNames.Normalize(room);
        var isPrivate = await writer.SubmitAsync(new SetRoomArchived(caller, isAdmin, name, archived, clock.GetUtcNow()), cancellationToken);
        // A private room's state is its members' business only, as with its topic.
        broadcaster.Send(clients => (isPrivate ? clients.Group(RoomGroups.For(name)) : clients.All).RoomChanged(name));
    }

    /// <summary>Deletes the room for everyone; each member hears <c>RoomLeft</c>, after the commit has taken their connections out of its group (and, for a public room, everyone hears <c>RoomChanged</c>).</summary>
    public async Task DeleteRoomAsync(ChatUser caller, bool isAdmin, string room, CancellationToken cancellationToken)
    {
        var name = RoomNames.Normalize(room);
        var deleted = await writer.SubmitAsync(new DeleteRoom(caller, isAdmin, name, clock.GetUtcNow()), cancellationToken);
        foreach (var member in deleted.Members)
        {
            broadcaster.Send(clients => clients.User(member.ToString(System.Globalization.CultureInfo.InvariantCulture)).RoomLeft(name));
        }

        if (!deleted.IsPrivate)
        {
            // A public room is in everyone's directory of rooms to join; RoomChanged makes them list again and drop it.
            broadcaster.Send(clients => clients.All.RoomChanged(name));
        }
    }
}
