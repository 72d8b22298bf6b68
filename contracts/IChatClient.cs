namespace ChatApp.Contracts;

/// <summary>The events the hub pushes to clients. Method names are the wire names (camelCase in JSON payloads).</summary>
public interface IChatClient
{
    /// <summary>A new message was appended to a room's log.</summary>
    Task MessageReceived(ChatMessage message);

    /// <summary>An edit entry (<see cref="EntryKinds.Edit"/>) was appended; <see cref="ChatMessage.TargetSeq"/> names the edited message.</summary>
    Task MessageEdited(ChatMessage entry);

    /// <summary>A delete entry (<see cref="EntryKinds.Delete"/>) was appended; <see cref="ChatMessage.TargetSeq"/> names the deleted message.</summary>
    Task MessageDeleted(ChatMessage entry);

    /// <summary>A reaction entry (<see cref="EntryKinds.Reaction"/>) was appended; <see cref="ChatMessage.Reactions"/> holds the target's counts after it.</summary>
    Task ReactionChanged(ChatMessage entry);

    /// <summary>A user who shares a room with you opened their first connection.</summary>
    Task UserOnline(string userName);

    /// <summary>A user who shares a room with you closed (or lost) their last connection.</summary>
    Task UserOffline(string userName);

    Task UserJoined(string room, string userName);

    Task UserLeft(string room, string userName);

    /// <summary>Someone else is typing in a room; not stored, throttled by the server.</summary>
    Task Typing(string room, string userName);

    /// <summary>You became a member of a room (you joined from another tab, were invited, or a DM was opened with you).</summary>
    Task RoomJoined(RoomInfo room);

    /// <summary>You are no longer a member of a room (you left from another tab, or its owner removed you).</summary>
    Task RoomLeft(string room);

    /// <summary>
    /// A room's directory entry changed: a public room was created, or a topic was set. Refresh it with ListRooms.
    /// Has a default body so handlers written before it need not change.
    /// </summary>
    Task RoomChanged(string room) => Task.CompletedTask;
}
