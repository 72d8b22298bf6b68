using ChatApp.Contracts;
using ChatApp.Server.Auth;
using ChatApp.Server.Rooms;

namespace ChatApp.Server.Messages;

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

    public Room? Room { get; set; }
    public User? Sender { get; set; }

    public ChatMessage ToWire(string room, string sender) => new()
    {
        Id = Id,
        Room = room,
        Seq = Seq,
        Sender = sender,
        Text = Text,
        SentAt = SentAt,
        ClientMessageId = ClientMessageId,
        Kind = Kind,
    };
}
