namespace ChatApp.Server.Data;

/// <summary>
/// One membership change of a room (a join or a leave of one user), numbered by the room's
/// <see cref="Room.MemberVersion"/> and placed in its log after entry <see cref="AtSeq"/>. Nodes of a cluster
/// apply a change whose publish they missed from here, in its place between the entries.
/// </summary>
public sealed class RoomMemberChange
{
    public required long RoomId { get; set; }

    public required long Version { get; set; }

    public required long UserId { get; set; }

    public required bool Join { get; set; }

    /// <summary>The room's last seq when the change committed: it comes after that entry and before the next.</summary>
    public required long AtSeq { get; set; }

    public required DateTimeOffset CreatedAt { get; set; }
}

/// <summary>
/// A live effect staged before a room's entries: the room's <see cref="Room.MemberVersion"/> when they committed,
/// so the membership changes before each of them are known (the entries that follow, up to the room's next mark,
/// carry it). One node's fan-out has no use for it; a cluster node holds an entry until those changes are applied.
/// </summary>
public sealed record MemberVersionMark(string Room, long MemberVersion);
