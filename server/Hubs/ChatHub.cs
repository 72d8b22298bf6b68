using ChatApp.Contracts;
using ChatApp.Server.Admin;
using ChatApp.Server.Auth;
using ChatApp.Server.Messages;
using ChatApp.Server.Presence;
using ChatApp.Server.Rooms;
using Microsoft.AspNetCore.SignalR;

namespace ChatApp.Server.Hubs;

/// <summary>
/// The real-time API. Thin on purpose: it reads who the caller is from the connection (never from a
/// payload) and hands the work to the feature classes. <see cref="Errors.ChatException"/>s reach the
/// caller as HubExceptions; the connection stays up. Only authenticated users connect: Program.cs maps it with
/// RequireAuthorization, which checks the connection once (an [Authorize] here would check every call as well).
/// </summary>
public sealed class ChatHub(
    MessageLog messages,
    MessageSearch search,
    Moderation moderation,
    RoomQueries rooms,
    RoomMembership membership,
    PresenceTracker presence) : Hub<IChatClient>, IChatHub
{
    // Read from the claims once, when the connection's token was checked (ChatIdentity), then reused by every call.
    private ChatUser Caller => ChatUser.From(Context.User!); // the endpoint's RequireAuthorization guarantees an authenticated user

    private CancellationToken Aborted => Context.ConnectionAborted;

    public override async Task OnConnectedAsync()
    {
        try
        {
            // Registered (ConnectedAsync does that before it first awaits) before the groups are read, so a membership
            // change from now on includes this connection too. The roommates' query for the online event and the
            // group join then run side by side: a connect waits for the longer of the two, not for both in turn.
            var online = presence.ConnectedAsync(Caller, Context.ConnectionId, Aborted);
            await Task.WhenAll(online, membership.JoinGroupsAsync(Caller, Context.ConnectionId, Aborted));
        }
        catch
        {
            // SignalR does not call OnDisconnectedAsync for a connection whose OnConnectedAsync failed.
            await presence.DisconnectedAsync(Caller, Context.ConnectionId, CancellationToken.None);
            throw;
        }
    }

    // The connection is already gone, so there is no caller to cancel for.
    public override Task OnDisconnectedAsync(Exception? exception) =>
        presence.DisconnectedAsync(Caller, Context.ConnectionId, CancellationToken.None);

    public Task<RoomInfo> CreateRoom(string name, bool isPrivate) => membership.CreateAsync(Caller, name, isPrivate, Aborted);

    public Task<RoomInfo> JoinRoom(string room) => membership.JoinAsync(Caller, room, Aborted);

    public Task LeaveRoom(string room) => membership.LeaveAsync(Caller, room, Aborted);

    public Task DeleteRoom(string room) => moderation.DeleteRoomAsync(Caller, TokenClaims.IsAdmin(Context.User!), room, Aborted);

    public Task ArchiveRoom(string room, bool archived) =>
        moderation.SetArchivedAsync(Caller, TokenClaims.IsAdmin(Context.User!), room, archived, Aborted);

    public Task<IReadOnlyList<RoomInfo>> ListRooms() => rooms.ListAsync(Caller, Aborted);

    public Task InviteToRoom(string room, string userName) => membership.InviteAsync(Caller, room, userName, Aborted);

    public Task RemoveFromRoom(string room, string userName) => membership.RemoveAsync(Caller, room, userName, Aborted);

    public Task<RoomInfo> OpenDirect(string userName) => membership.OpenDirectAsync(Caller, userName, Aborted);

    public Task<IReadOnlyList<MemberInfo>> GetRoomMembers(string room) => rooms.MembersAsync(Caller, room, Aborted);

    public Task<RoomInfo> MarkRead(string room, long seq) => membership.MarkReadAsync(Caller, room, seq, Aborted);

    public Task SetTyping(string room) => presence.TypingAsync(Caller, room, Aborted);

    public async Task<ChatMessage> SendMessage(string room, string text, string clientMessageId) =>
        (await messages.SendAsync(Caller, room, text, clientMessageId, Aborted)).Message;

    public async Task<ChatMessage> SendMessageWith(string room, string text, string clientMessageId, SendExtras extras) =>
        (await messages.SendAsync(Caller, room, text, clientMessageId, Aborted, extras)).Message;

    public Task<RoomInfo> SetRoomTopic(string room, string topic) => membership.SetTopicAsync(Caller, room, topic, Aborted);

    public Task<ChatMessage> EditMessage(string room, long seq, string text) => messages.EditAsync(Caller, room, seq, text, Aborted);

    public Task<ChatMessage> DeleteMessage(string room, long seq) => messages.DeleteAsync(Caller, room, seq, Aborted);

    public Task<ChatMessage> React(string room, long seq, string emoji) => messages.ReactAsync(Caller, room, seq, emoji, Aborted);

    public Task<HistoryPage> GetHistory(string room, long? beforeSeq, int? limit) =>
        messages.GetHistoryAsync(Caller, room, beforeSeq, limit, Aborted);

    public IAsyncEnumerable<ChatMessage> StreamMessagesSince(string room, long afterSeq, CancellationToken cancellationToken) =>
        messages.StreamSinceAsync(Caller, room, afterSeq, cancellationToken);

    public Task<SearchPage> SearchMessages(string query, string? room, long? beforeId, int? limit) =>
        search.SearchAsync(Caller, query, room, beforeId, limit, Aborted);
}
