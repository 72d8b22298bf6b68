namespace ChatApp.Contracts;

/// <summary>
/// The methods clients call on the hub at <see cref="ChatPaths.Hub"/>. Method names are the wire names; the
/// server's hub implements this interface and the .NET client invokes through <c>nameof</c> its members, so
/// a rename breaks the build instead of the wire. docs/protocol.md documents each one (a test checks it).
/// </summary>
public interface IChatHub
{
    /// <summary>The caller becomes owner and member.</summary>
    Task<RoomInfo> CreateRoom(string name, bool isPrivate);

    /// <summary>Public rooms only; a private room needs an invitation.</summary>
    Task<RoomInfo> JoinRoom(string room);

    Task LeaveRoom(string room);

    /// <summary>The owner or an admin; the room is gone for everyone.</summary>
    Task DeleteRoom(string room);

    /// <summary>The owner or an admin archives a room (readable, no new messages) or, with false, opens it again.</summary>
    Task ArchiveRoom(string room, bool archived);

    Task<IReadOnlyList<RoomInfo>> ListRooms();

    Task InviteToRoom(string room, string userName);

    Task RemoveFromRoom(string room, string userName);

    /// <summary>The two-person room of the caller and <paramref name="userName"/>.</summary>
    Task<RoomInfo> OpenDirect(string userName);

    Task<IReadOnlyList<MemberInfo>> GetRoomMembers(string room);

    /// <summary>Moves the read marker forward, never back.</summary>
    Task<RoomInfo> MarkRead(string room, long seq);

    Task SetTyping(string room);

    /// <summary>Answers after the message is committed; a retry with the same <paramref name="clientMessageId"/> gets the original.</summary>
    Task<ChatMessage> SendMessage(string room, string text, string clientMessageId);

    /// <summary>As <see cref="SendMessage"/>, with a reply reference and attachments.</summary>
    Task<ChatMessage> SendMessageWith(string room, string text, string clientMessageId, SendExtras extras);

    /// <summary>The owner sets (or with an empty text clears) what the room is about.</summary>
    Task<RoomInfo> SetRoomTopic(string room, string topic);

    Task<ChatMessage> EditMessage(string room, long seq, string text);

    Task<ChatMessage> DeleteMessage(string room, long seq);

    Task<ChatMessage> React(string room, long seq, string emoji);

    Task<HistoryPage> GetHistory(string room, long? beforeSeq, int? limit);

    /// <summary>A server-to-client stream; the token is SignalR's, not a wire argument.</summary>
    IAsyncEnumerable<ChatMessage> StreamMessagesSince(string room, long afterSeq, CancellationToken cancellationToken);

    Task<SearchPage> SearchMessages(string query, string? room, long? beforeId, int? limit);
}
