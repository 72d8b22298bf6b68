using System.Runtime.CompilerServices;
using ChatApp.Contracts;
using Microsoft.AspNetCore.SignalR;

namespace ChatApp.Bench.BaselineHub.Durable;

/// <summary>
/// BroadcastHub's contract with every send made durable: SendMessage queues the send for the one writer and returns the
/// stored entry once its batch is committed (WAL, synchronous=FULL); the writer broadcasts after the commit. No
/// membership, limits or validation: the least a durable chat must do.
/// </summary>
public sealed class DurableHub(DurableWriter writer, DurableDirectory directory, DurableLog log) : Hub<IChatClient>
{
    private const string UserKey = "user";

    private DurableUser User => (DurableUser)Context.Items[UserKey]!; // set by OnConnectedAsync before any call

    public override async Task OnConnectedAsync()
    {
        // The dummy token names the user. The .NET client sends it as a header over WebSockets, a browser in the query
        // string; a sender is a user row, so every bot must be told apart (BroadcastHub's query-only name is not stored).
        var request = Context.GetHttpContext()?.Request;
        var header = request?.Headers.Authorization.ToString() ?? "";
        var token = header.StartsWith("Bearer ", StringComparison.Ordinal) ? header["Bearer ".Length..] : request?.Query["access_token"].ToString();
        var name = string.IsNullOrEmpty(token) ? "anonymous" : token.Replace("baseline-", "", StringComparison.Ordinal);
        Context.Items[UserKey] = await directory.UserAsync(name, Context.ConnectionAborted);
    }

    public async Task<RoomInfo> JoinRoom(string room)
    {
        var r = await directory.RoomAsync(room, Context.ConnectionAborted);
        await Groups.AddToGroupAsync(Context.ConnectionId, r.Name, Context.ConnectionAborted);
        return DurableDirectory.Info(r);
    }

    public Task<RoomInfo> CreateRoom(string name, bool isPrivate) => JoinRoom(name);

    public Task LeaveRoom(string room) => Groups.RemoveFromGroupAsync(Context.ConnectionId, room.ToLowerInvariant(), Context.ConnectionAborted);

    public IReadOnlyList<RoomInfo> ListRooms() => directory.List();

    public Task<ChatMessage> SendMessage(string room, string text, string clientMessageId) =>
        writer.SendAsync(new PendingSend(Known(room), User, text, clientMessageId), Context.ConnectionAborted);

    public IAsyncEnumerable<ChatMessage> StreamMessagesSince(string room, long afterSeq, CancellationToken cancellationToken) =>
        log.SinceAsync(Known(room), afterSeq, cancellationToken);

    private DurableRoom Known(string room) => directory.Find(room) ?? throw new HubException($"No room {room}: join it first.");
}
