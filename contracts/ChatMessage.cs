namespace ChatApp.Contracts;

/// <summary>Kinds of entry in a room's log.</summary>
public static class EntryKinds
{
    public const string Message = "message";
}

/// <summary>
/// One entry of a room's ordered log. <see cref="Seq"/> is 1, 2, 3, ... per room without gaps;
/// (<see cref="Sender"/>, <see cref="ClientMessageId"/>) identifies a send so a retry returns the original.
/// </summary>
public sealed record ChatMessage
{
    public required long Id { get; init; }
    public required string Room { get; init; }
    public required long Seq { get; init; }
    public required string Sender { get; init; }
    public required string Text { get; init; }
    public required DateTimeOffset SentAt { get; init; }
    public required string ClientMessageId { get; init; }
    public string Kind { get; init; } = EntryKinds.Message;
}

/// <summary>A room as a client sees it.</summary>
public sealed record RoomInfo
{
    public required string Name { get; init; }
    public required bool IsPrivate { get; init; }
    public required long LastSeq { get; init; }
    public required bool IsMember { get; init; }
}

/// <summary>A page of a room's messages, ascending by seq.</summary>
public sealed record HistoryPage(string Room, IReadOnlyList<ChatMessage> Messages, bool HasMore);
