namespace ChatApp.Server.Live;

/// <summary>
/// SignalR groups are only the live fan-out list of a room: membership itself is stored. Group changes
/// are made by the <see cref="RoomBroadcaster"/>, in commit order with the room's entries, so a
/// member removed by a commit gets nothing committed after it, and a member added gets everything.
/// </summary>
public static class RoomGroups
{
    public static string For(string room) => "room:" + room;
}
