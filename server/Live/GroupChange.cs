using ChatApp.Server.Data;

namespace ChatApp.Server.Live;

/// <summary>A change to who receives a room's live events; applied after the commit that made it.</summary>
/// <param name="UserId">Every open connection of this user, or...</param>
/// <param name="ConnectionId">...just this connection (when it opens).</param>
public sealed record GroupChange(string Room, bool Join, long? UserId = null, string? ConnectionId = null);

public static class GroupChanges
{
    /// <summary>Stages a group change for after the commit, in order with the batch's entries.</summary>
    public static void ChangeGroup(this WriteContext context, GroupChange change) => context.AfterCommit(change);
}
