using ChatApp.Server.Data;
using ChatApp.Server.Errors;
using Microsoft.EntityFrameworkCore;

namespace ChatApp.Server.Rooms;

/// <summary>Lookups and steps the room commands share, run on the writer's context.</summary>
internal static class RoomLookups
{
    public static async Task<Room> FindRoomAsync(this ChatDbContext db, string name, CancellationToken cancellationToken) =>
        await db.Rooms.AsTracking().FirstOrDefaultAsync(r => r.Name == name && r.DeletedAt == null, cancellationToken)
            ?? throw ChatException.NotFound($"There is no room named '{name}'.");

    public static async Task<User> FindUserAsync(this ChatDbContext db, string userName, CancellationToken cancellationToken) =>
        await db.Users.FirstOrDefaultAsync(u => u.UserName == userName, cancellationToken)
            ?? throw ChatException.NotFound($"There is no user named '{userName}'.");

    public static Task<bool> IsMemberAsync(this ChatDbContext db, long roomId, long userId, CancellationToken cancellationToken) =>
        db.RoomMembers.AnyAsync(m => m.RoomId == roomId && m.UserId == userId, cancellationToken);

    /// <summary>Adds the membership if missing; returns whether it was added.</summary>
    public static async Task<bool> AddMemberAsync(this ChatDbContext db, long roomId, long userId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (await db.IsMemberAsync(roomId, userId, cancellationToken))
        {
            return false;
        }

        db.RoomMembers.Add(new RoomMember { RoomId = roomId, UserId = userId, JoinedAt = now });
        return true;
    }
}
