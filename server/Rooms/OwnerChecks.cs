using ChatApp.Server.Auth;
using ChatApp.Server.Data;
using ChatApp.Server.Errors;

namespace ChatApp.Server.Rooms;

/// <summary>The owner-only commands' check: invite, remove.</summary>
internal static class OwnerChecks
{
    public static async Task<Room> RequireOwnedRoomAsync(this ChatDbContext db, ChatUser caller, string name, string action, CancellationToken cancellationToken)
    {
        var room = await db.FindRoomAsync(name, cancellationToken);
        if (room.IsDirect)
        {
            throw ChatException.Invalid($"You cannot {action} in a direct conversation.");
        }

        if (room.OwnerId != caller.Id)
        {
            // Only a refusal pays for the membership read; who cannot read the room hears it does not exist.
            var isMember = await db.IsMemberAsync(room.Id, caller.Id, cancellationToken);
            throw ReadAccess.CanRead(room.IsPrivate, isMember)
                ? ChatException.Forbidden($"Only the owner of '{name}' can {action}.")
                : ReadAccess.NoReadableRoom(name);
        }

        return room;
    }
}
