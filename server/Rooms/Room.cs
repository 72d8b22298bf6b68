namespace ChatApp.Server.Rooms;

public sealed class Room
{
    public long Id { get; set; }
    public required string Name { get; set; }
    public required bool IsPrivate { get; set; }
    public long? OwnerId { get; set; }

    /// <summary>The seq of the room's newest log entry; advanced by the writer inside the transaction that appends.</summary>
    public long LastSeq { get; set; }

    public required DateTimeOffset CreatedAt { get; set; }
}

public sealed class RoomMember
{
    public required long RoomId { get; set; }
    public required long UserId { get; set; }
    public required DateTimeOffset JoinedAt { get; set; }
}
