using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using ChatApp.Contracts;
using Microsoft.AspNetCore.SignalR;

namespace ChatApp.Bench.BaselineHub;

/// <summary>A room: its next seq, and a gate so broadcasts leave in seq order (what ChatApp's writer guarantees too).</summary>
public sealed class Room(string name)
{
    public string Name { get; } = name;

    public SemaphoreSlim Gate { get; } = new(1, 1);

    public long LastSeq { get; set; }

    public RoomInfo Info => new() { Name = Name, IsPrivate = false, LastSeq = LastSeq, IsMember = true };
}

public sealed class Rooms
{
    private readonly ConcurrentDictionary<string, Room> _rooms = new(StringComparer.OrdinalIgnoreCase);

    public Room Get(string name) => _rooms.GetOrAdd(name.ToLowerInvariant(), static n => new Room(n));

    public IReadOnlyList<RoomInfo> List() => _rooms.Values.Select(r => r.Info).ToList();
}

/// <summary>Broadcast only: SendMessage assigns the room's next seq in memory and fans out to the group.</summary>
public sealed class BroadcastHub(Rooms rooms) : Hub<IChatClient>
{
    public async Task<RoomInfo> JoinRoom(string room)
    {
        var r = rooms.Get(room);
        await Groups.AddToGroupAsync(Context.ConnectionId, r.Name, Context.ConnectionAborted);
        return r.Info;
    }

    public Task<RoomInfo> CreateRoom(string name, bool isPrivate) => JoinRoom(name);

    public Task LeaveRoom(string room) => Groups.RemoveFromGroupAsync(Context.ConnectionId, rooms.Get(room).Name, Context.ConnectionAborted);

    public IReadOnlyList<RoomInfo> ListRooms() => rooms.List();

    public async Task<ChatMessage> SendMessage(string room, string text, string clientMessageId)
    {
        var r = rooms.Get(room);
        await r.Gate.WaitAsync(Context.ConnectionAborted);
        try
        {
            var message = new ChatMessage
            {
                Id = r.LastSeq + 1,
                Room = r.Name,
                Seq = ++r.LastSeq,
                Sender = Context.GetHttpContext()?.Request.Query["access_token"].ToString().Replace("baseline-", "", StringComparison.Ordinal) ?? "anonymous",
                Text = text,
                SentAt = DateTimeOffset.UtcNow,
                ClientMessageId = clientMessageId,
            };
            await Clients.Group(r.Name).MessageReceived(message);
            return message;
        }
        finally
        {
            r.Gate.Release();
        }
    }

    public async IAsyncEnumerable<ChatMessage> StreamMessagesSince(string room, long afterSeq, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.CompletedTask;
        yield break; // nothing is stored, so there is never anything to catch up on
    }
}
