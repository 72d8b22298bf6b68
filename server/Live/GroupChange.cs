using ChatApp.Server.Data;

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
        var userId = change.UserId ?? throw new ArgumentException("A stored membership change names its user.", nameof(change));
        // Two of the writer's kept statements (plain SQL both providers accept), not an ExecuteUpdate, a query and a
        // SaveChanges: EF built those three again on every join, about a fifth of the garbage of a bench bot's connect.
        var sql = MemberChangeSql.For(context.Db);
        long lastSeq, version;
        var next = context.Statement(sql.NextVersion, static c => StatementParameters.Add(c, "@room", 0L));
        next.Parameters[0].Value = roomId;
        // RETURNING reads the row as this UPDATE left it: no entity tracked earlier in the batch can hand back a stale value.
        await using (var reader = await next.ExecuteReaderAsync(cancellationToken))
        {
            if (!await reader.ReadAsync(cancellationToken))
            {
                throw new InvalidOperationException($"Room {roomId} is gone; its membership cannot change.");
            }

            lastSeq = reader.GetInt64(0);
            version = reader.GetInt64(1);
        }

        var insert = context.Statement(sql.InsertChange, static c =>
        {
            StatementParameters.Add(c, "@room", 0L);
            StatementParameters.Add(c, "@version", 0L);
            StatementParameters.Add(c, "@user", 0L);
            StatementParameters.Add(c, "@join", false);
            StatementParameters.Add(c, "@atSeq", 0L);
            StatementParameters.Add(c, "@createdAt", DateTimeOffset.UnixEpoch);
        });
        insert.Parameters[0].Value = roomId;
        insert.Parameters[1].Value = version;
        insert.Parameters[2].Value = userId;
        insert.Parameters[3].Value = change.Join;
        insert.Parameters[4].Value = lastSeq;
        insert.Parameters[5].Value = DateTimeOffset.UtcNow; // a record of when, for people reading the table; nothing orders by it
        await insert.ExecuteNonQueryAsync(cancellationToken);
        context.AfterCommit(change with { AtSeq = lastSeq, Version = version });
    }

    /// <summary>The statements' texts, with the model's table and column names quoted the provider's way (one per model).</summary>
    private sealed class MemberChangeSql
    {
        private static readonly PerModelSql<MemberChangeSql> ByModel = new(names => new MemberChangeSql(names));

        private MemberChangeSql(StoreNames names)
        {
            var id = names.Column<Room>(nameof(Room.Id));
            var version = names.Column<Room>(nameof(Room.MemberVersion));
            NextVersion = $"UPDATE {names.Table<Room>()} SET {version} = {version} + 1 WHERE {id} = @room RETURNING {names.Column<Room>(nameof(Room.LastSeq))}, {version}";
            InsertChange = $"""
                INSERT INTO {names.Table<RoomMemberChange>()} ({names.Column<RoomMemberChange>(nameof(RoomMemberChange.RoomId))},
                    {names.Column<RoomMemberChange>(nameof(RoomMemberChange.Version))}, {names.Column<RoomMemberChange>(nameof(RoomMemberChange.UserId))},
                    {names.Column<RoomMemberChange>(nameof(RoomMemberChange.Join))}, {names.Column<RoomMemberChange>(nameof(RoomMemberChange.AtSeq))},
                    {names.Column<RoomMemberChange>(nameof(RoomMemberChange.CreatedAt))})
                VALUES (@room, @version, @user, @join, @atSeq, @createdAt)
                """;
        }

        /// <summary>Takes the room's next member version; returns (last seq, member version). Parameter @room.</summary>
        public string NextVersion { get; }

        /// <summary>Parameters @room, @version, @user, @join, @atSeq, @createdAt.</summary>
        public string InsertChange { get; }

        public static MemberChangeSql For(ChatDbContext db) => ByModel.For(db);
    }
}
