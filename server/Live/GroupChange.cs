using ChatApp.Server.Data;
using Microsoft.EntityFrameworkCore;

namespace ChatApp.Server.Live;

/// <summary>A change to who receives a room's live events; applied after the commit that made it.</summary>
/// <param name="UserId">Every open connection of this user, or...</param>
/// <param name="ConnectionId">...just this connection (when it opens).</param>
/// <param name="AtSeq">
/// The room's last seq as the change's transaction read it: the change's place in the room's log. One node
/// applies it in queue order and ignores this; nodes of a cluster apply it after entry AtSeq and before
/// AtSeq + 1, whatever order Redis brought them in. Null: apply on arrival.
/// </param>
public sealed record GroupChange(string Room, bool Join, long? UserId = null, string? ConnectionId = null, long? AtSeq = null);

public static class GroupChanges
{
    /// <summary>Stages a group change for after the commit, in order with the batch's entries.</summary>
    public static void ChangeGroup(this WriteContext context, GroupChange change) => context.AfterCommit(change);

    /// <summary>
    /// Stages a group change placed in the room's log: the room's last seq is read fresh inside the transaction
    /// (a projection, so an entity tracked earlier in the batch cannot hand back a stale value).
    /// </summary>
    public static async Task ChangeGroupAsync(this WriteContext context, GroupChange change, long roomId, CancellationToken cancellationToken)
    {
        var atSeq = await context.Db.Rooms.Where(r => r.Id == roomId).Select(r => r.LastSeq).FirstAsync(cancellationToken);
        context.AfterCommit(change with { AtSeq = atSeq });
    }
}
