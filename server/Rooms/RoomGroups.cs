namespace ChatApp.Server.Rooms;

/// <summary>
/// SignalR groups are only the live fan-out list of a room: membership itself is stored. Group changes
/// are made by the <see cref="Messages.RoomBroadcaster"/>, in commit order with the room's entries, so a
/// member removed by a commit gets nothing committed after it, and a member added gets everything.
/// </summary>
public static class RoomGroups
{
    public static string For(string room) => "room:" + room;
}

/// <summary>A change to who receives a room's live events; applied after the commit that made it.</summary>
/// <param name="UserId">Every open connection of this user, or...</param>
/// <param name="ConnectionId">...just this connection (when it opens).</param>
public sealed record GroupChange(string Room, bool Join, long? UserId = null, string? ConnectionId = null);
