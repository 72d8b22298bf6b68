namespace ChatApp.Contracts;

/// <summary>Kinds of entry in a room's log.</summary>
public static class EntryKinds
{
    public const string Message = "message";
    public const string Edit = "edit";
    public const string Delete = "delete";
    public const string Reaction = "reaction";
}

/// <summary>
/// One entry of a room's ordered log. <see cref="Seq"/> is 1, 2, 3, ... per room without gaps;
/// (<see cref="Sender"/>, <see cref="ClientMessageId"/>) identifies a send, so a retry returns the original.
/// A "message" entry read from history or the catch-up stream shows the message as it is now
/// (edited text, deleted, reactions); edit, delete and reaction entries name their message by <see cref="TargetSeq"/>.
/// </summary>
public sealed record ChatMessage
{
    public required long Id { get; init; }
    public required string Room { get; init; }
    public required long Seq { get; init; }
    public required string Sender { get; init; }

    /// <summary>The message text; for an edit the new text, for a reaction the emoji, for a delete empty.</summary>
    public required string Text { get; init; }

    public required DateTimeOffset SentAt { get; init; }
    public required string ClientMessageId { get; init; }
    public string Kind { get; init; } = EntryKinds.Message;
    public long? TargetSeq { get; init; }
    public DateTimeOffset? EditedAt { get; init; }
    public bool Deleted { get; init; }
    public IReadOnlyList<ReactionCount> Reactions { get; init; } = [];

    /// <summary>The user names this message mentions with <c>@name</c>; a client whose user is listed was mentioned.</summary>
    public IReadOnlyList<string> Mentions { get; init; } = [];
}

/// <summary>
/// How many people reacted to a message with one emoji. <see cref="Mine"/> is relative to whoever the entry was
/// read for: the caller on history, catch-up and the React answer; the entry's sender on a live ReactionChanged.
/// </summary>
public sealed record ReactionCount(string Emoji, int Count, bool Mine);

/// <summary>A room as the calling user sees it. Unread and mention counts are derived from seqs, so they cannot drift.</summary>
public sealed record RoomInfo
{
    public required string Name { get; init; }
    public required bool IsPrivate { get; init; }
    public required long LastSeq { get; init; }
    public required bool IsMember { get; init; }
    public bool IsDirect { get; init; }

    /// <summary>For a direct-message room, the other person.</summary>
    public string? DirectWith { get; init; }

    public string? Owner { get; init; }

    /// <summary>Archived by an admin: readable, but it takes no new messages, edits or reactions.</summary>
    public bool IsArchived { get; init; }

    public long LastReadSeq { get; init; }

    /// <summary>Messages from others after <see cref="LastReadSeq"/>, not deleted.</summary>
    public int Unread { get; init; }

    /// <summary>Of those, the ones that mention the caller.</summary>
    public int Mentions { get; init; }
}

public sealed record MemberInfo(string UserName, bool Online, bool IsOwner);

/// <summary>A page of a room's messages, ascending by seq; <see cref="HasMore"/> says older ones exist.</summary>
public sealed record HistoryPage(string Room, IReadOnlyList<ChatMessage> Messages, bool HasMore);

/// <summary>Search hits, newest first; pass the last hit's <see cref="ChatMessage.Id"/> as beforeId for the next page.</summary>
public sealed record SearchPage(IReadOnlyList<ChatMessage> Results, bool HasMore);
