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

    /// <summary>On a message that answers another: the seq of the message it answers, in the same room.</summary>
    public long? ReplyTo { get; init; }

    /// <summary>What the answered message looks like now (null when <see cref="ReplyTo"/> is): enough to quote it without loading it.</summary>
    public ReplyPreview? Quoted { get; init; }

    /// <summary>Files uploaded to the room before the send and carried by this message (empty once it is deleted).</summary>
    public IReadOnlyList<AttachmentInfo> Attachments { get; init; } = [];
}

/// <summary>The message a reply answers, as it is now: a deleted original has <see cref="Deleted"/> and empty text.</summary>
public sealed record ReplyPreview(long Seq, string Sender, string Text, bool Deleted);

/// <summary>
/// An uploaded file. Fetch it at <c>GET /api/attachments/{id}</c> (members of its room only). Images carry their
/// pixel size so a client can reserve the space before the bytes arrive.
/// </summary>
public sealed record AttachmentInfo(string Id, string FileName, string ContentType, long Length, int? Width, int? Height)
{
    public bool IsImage => ContentType.StartsWith("image/", StringComparison.Ordinal);
}

/// <summary>What a send may carry besides its text; every member is optional.</summary>
public sealed record SendExtras
{
    /// <summary>The seq of the message this one answers; it must be a message of the same room.</summary>
    public long? ReplyTo { get; init; }

    /// <summary>Ids of attachments the sender uploaded to the same room and no message carries yet.</summary>
    public IReadOnlyList<string> AttachmentIds { get; init; } = [];
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

    /// <summary>Archived by its owner or an admin: readable, but it takes no new messages, edits or reactions.</summary>
    public bool IsArchived { get; init; }

    public long LastReadSeq { get; init; }

    /// <summary>Messages from others after <see cref="LastReadSeq"/>, not deleted.</summary>
    public int Unread { get; init; }

    /// <summary>Of those, the ones that mention the caller.</summary>
    public int Mentions { get; init; }

    /// <summary>What the room is about, set by its owner; null when none was set.</summary>
    public string? Topic { get; init; }

    public int MemberCount { get; init; }
}

public sealed record MemberInfo(string UserName, bool Online, bool IsOwner);

/// <summary>A page of a room's messages, ascending by seq; <see cref="HasMore"/> says older ones exist.</summary>
public sealed record HistoryPage(string Room, IReadOnlyList<ChatMessage> Messages, bool HasMore);

/// <summary>Search hits, newest first; pass the last hit's <see cref="ChatMessage.Id"/> as beforeId for the next page.</summary>
public sealed record SearchPage(IReadOnlyList<ChatMessage> Results, bool HasMore);
