using ChatApp.Contracts;
using ChatApp.Server.Auth;
using ChatApp.Server.Data;
using ChatApp.Server.Messages;
using ChatApp.Server.Presence;
using ChatApp.Server.Rooms;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;

namespace ChatApp.Server.Hubs;

/// <summary>
/// The real-time API. Thin on purpose: it reads who the caller is from the connection, and hands the
/// work to the feature classes. <see cref="Errors.ChatException"/>s reach the caller as HubExceptions.
/// </summary>
[Authorize]
public sealed class ChatHub(
    MessageLog messages,
    RoomQueries rooms,
    RoomGroups groups,
    DatabaseWriter writer,
    ConnectionRegistry connections,
    TimeProvider clock) : Hub<IChatClient>
{
    private ChatUser Caller => ChatUser.From(Context.User!); // [Authorize] guarantees an authenticated user

    private CancellationToken Aborted => Context.ConnectionAborted;

    public override async Task OnConnectedAsync()
    {
        // Register first, so a JoinRoom on another connection from now on also adds this one.
        connections.Add(Caller.Id, Context.ConnectionId);
        foreach (var room in await rooms.MemberRoomNamesAsync(Caller.Id, Aborted))
        {
            await Groups.AddToGroupAsync(Context.ConnectionId, RoomGroups.For(room), Aborted);
        }
    }

    public override Task OnDisconnectedAsync(Exception? exception)
    {
        connections.Remove(Caller.Id, Context.ConnectionId);
        return Task.CompletedTask;
    }

    public async Task<RoomInfo> CreateRoom(string name, bool isPrivate)
    {
        var room = await writer.SubmitAsync(new CreateRoom(Caller, RoomNames.Normalize(name), isPrivate, clock.GetUtcNow()), Aborted);
        await groups.AddUserAsync(Caller.Id, room.Name, Aborted);
        return room;
    }

    public async Task<RoomInfo> JoinRoom(string room)
    {
        var joined = await writer.SubmitAsync(new JoinRoom(Caller, RoomNames.Normalize(room), clock.GetUtcNow()), Aborted);
        await groups.AddUserAsync(Caller.Id, joined.Name, Aborted);
        return joined;
    }

    public async Task LeaveRoom(string room)
    {
        var name = RoomNames.Normalize(room);
        await writer.SubmitAsync(new LeaveRoom(Caller, name), Aborted);
        await groups.RemoveUserAsync(Caller.Id, name, Aborted);
    }

    public Task<IReadOnlyList<RoomInfo>> ListRooms() => rooms.ListAsync(Caller, Aborted);

    public async Task<ChatMessage> SendMessage(string room, string text, string clientMessageId) =>
        (await messages.SendAsync(Caller, room, text, clientMessageId, Aborted)).Message;

    public Task<HistoryPage> GetHistory(string room, long? beforeSeq, int? limit) =>
        messages.GetHistoryAsync(Caller, room, beforeSeq, limit, Aborted);

    public IAsyncEnumerable<ChatMessage> StreamMessagesSince(string room, long afterSeq, CancellationToken cancellationToken) =>
        messages.StreamSinceAsync(Caller, room, afterSeq, cancellationToken);
}
