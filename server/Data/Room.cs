namespace ChatApp.Server.Data;

public sealed class Room
{
    public long Id { get; set; }
    public required string Name { get; set; }
    public required bool IsPrivate { get; set; }
    public long? OwnerId { get; set; }

    /// <summary>A two-person room for direct messages; always private, named <c>@a:b</c>.</summary>
    public bool IsDirect { get; set; }

    /// <summary>The seq of the room's newest log entry; advanced by the writer inside the transaction that appends.</summary>
    public long LastSeq { get; set; }

    /// <summary>
    /// How many membership changes the room has had; each one takes the next in its transaction (see
    /// <see cref="RoomMemberChange"/>). In cluster mode, entries carry it so a node can tell a change is missing.
    /// </summary>
    public long MemberVersion { get; set; }

    public required DateTimeOffset CreatedAt { get; set; }

    /// <summary>Archived by its owner or an admin: still readable, takes no new entries.</summary>
    public DateTimeOffset? ArchivedAt { get; set; }

    /// <summary>Deleted by its owner or an admin: gone for everyone, but kept in the database (soft delete).</summary>
    public DateTimeOffset? DeletedAt { get; set; }

    /// <summary>What the room is about, set by its owner.</summary>
    public string? Topic { get; set; }
}

public sealed class RoomMember
{
    public required long RoomId { get; set; }
    public required long UserId { get; set; }
    public required DateTimeOffset JoinedAt { get; set; }

    /// <summary>The highest seq this member has read; unread counts are derived from it.</summary>
    public long LastReadSeq { get; set; }
}
