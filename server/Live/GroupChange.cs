using ChatApp.Server.Data;
using Microsoft.EntityFrameworkCore;

namespace ChatApp.Server.Live;

/// <summary>A change to who receives a room's live events; applied after the commit that made it.</summary>
/// <param name="UserId">Every open connection of this user, or...</param>
/// <param name="ConnectionId">...just this connection (when it opens; <paramref name="UserId"/> then names its user).</param>
/// <param name="AtSeq">
/// The room's last seq when the change committed: its place in the room's log. One node applies it in queue
/// order and ignores this; nodes of a cluster apply it after entry AtSeq and before AtSeq + 1, whatever order
/// Redis brought them in. Null: apply on arrival.
/// </param>
/// <param name="Version">
/// The room's member version the change took (a stored <see cref="RoomMemberChange"/>), or, for a connection's
/// join, the version its membership was read at. Nodes of a cluster apply a room's changes in version order, and
/// hold an entry until the changes committed before it are applied.
/// </param>
public sealed record GroupChange(string Room, bool Join, long? UserId = null, string? ConnectionId = null, long? AtSeq = null, long? Version = null);

public static class GroupChanges
{
    /// <summary>Stages a group change for after the commit, in order with the batch's entries.</summary>
    public static void ChangeGroup(this WriteContext context, GroupChange change) => context.AfterCommit(change);

    /// <summary>
    /// Stages a stored membership change of one user, placed in the room's log. Taking the room's next member
    /// version is an UPDATE of the room's row: its lock serializes the change with sends (which update the same
    /// row for their seqs) on every provider and node, so the last seq read next is exactly the change's place.
    /// </summary>
    public static async Task ChangeGroupAsync(this WriteContext context, GroupChange change, long roomId, CancellationToken cancellationToken)
    {
        var db = context.Db;
        await db.Rooms.Where(r => r.Id == roomId)
            .ExecuteUpdateAsync(set => set.SetProperty(r => r.MemberVersion, r => r.MemberVersion + 1), cancellationToken);
        // A projection, so an entity tracked earlier in the batch cannot hand back a stale value.
        var place = await db.Rooms.Where(r => r.Id == roomId).Select(r => new { r.LastSeq, r.MemberVersion }).FirstAsync(cancellationToken);
        db.RoomMemberChanges.Add(new RoomMemberChange
        {
            RoomId = roomId,
            Version = place.MemberVersion,
            UserId = change.UserId ?? throw new ArgumentException("A stored membership change names its user.", nameof(change)),
            Join = change.Join,
            AtSeq = place.LastSeq,
            CreatedAt = DateTimeOffset.UtcNow, // a record of when, for people reading the table; nothing orders by it
        });
        await db.SaveChangesAsync(cancellationToken);
        context.AfterCommit(change with { AtSeq = place.LastSeq, Version = place.MemberVersion });
    }
}
