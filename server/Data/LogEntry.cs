namespace ChatApp.Server.Data;

/// <summary>One entry of a room's append-only log, numbered by <see cref="Seq"/> within the room.</summary>
public sealed class LogEntry
{
    public long Id { get; set; }
    public required long RoomId { get; set; }
    public required long Seq { get; set; }
    public required long SenderId { get; set; }
    public required string Kind { get; set; }
    public required string Text { get; set; }
    public required string ClientMessageId { get; set; }
    public required DateTimeOffset SentAt { get; set; }

    /// <summary>For edit, delete and reaction entries: the seq of the message they act on.</summary>
    public long? TargetSeq { get; set; }

    /// <summary>On a message entry: when it was last edited. The edit itself is an entry of its own.</summary>
    public DateTimeOffset? EditedAt { get; set; }

    /// <summary>On a message entry: when it was deleted (its text is then cleared).</summary>
    public DateTimeOffset? DeletedAt { get; set; }

    /// <summary>On a message entry: the seq of the message (same room) it answers.</summary>
    public long? ReplyToSeq { get; set; }

    public Room? Room { get; set; }
    public User? Sender { get; set; }
}

/// <summary>One user's reaction to one message.</summary>
public sealed class Reaction
{
    public required long RoomId { get; set; }
    public required long Seq { get; set; }
    public required long UserId { get; set; }
    public required string Emoji { get; set; }
}

/// <summary>A message that mentions a user with <c>@name</c>; counted until the user's read marker passes it.</summary>
public sealed class Mention
{
    public required long UserId { get; set; }
    public required long RoomId { get; set; }
    public required long Seq { get; set; }
}
