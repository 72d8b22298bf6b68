using System.Text.Json;
using ChatApp.Client;
using ChatApp.Contracts;

namespace ChatApp.Tests;

/// <summary>One user with two connections, one per hub protocol, each recording its events: what the server sends once arrives twice, decoded two ways.</summary>
public sealed record ProtocolTwin(string Name, ChatConnection Json, EventRecorder JsonEvents, ChatConnection Pack, EventRecorder PackEvents) : IAsyncDisposable
{
    // The wire types as plain JSON, every member and full DateTimeOffset precision: equal text means equal values.
    private static readonly JsonSerializerOptions Canonical = new() { WriteIndented = true };

    public static async Task<ProtocolTwin> ConnectAsync(ChatServer server, string userName, params string[] rooms)
    {
        var token = await server.TokenForAsync(userName);
        var json = await server.ConnectAsync(token, options: ChatConnectionOptions.WebSocketsDirect with { Protocol = ChatProtocol.Json });
        var pack = await server.ConnectAsync(token, options: ChatConnectionOptions.WebSocketsDirect with { Protocol = ChatProtocol.MessagePack });
        var twin = new ProtocolTwin(userName, json, new EventRecorder(), pack, new EventRecorder());
        json.Subscribe(twin.JsonEvents);
        pack.Subscribe(twin.PackEvents);
        foreach (var room in rooms)
        {
            await json.JoinRoomAsync(room, TestContext.Current.CancellationToken);
        }

        return twin;
    }

    /// <summary>The arguments of the last <paramref name="name"/> event on each connection, once both have one that matches.</summary>
    public async Task<(object[] Json, object[] Pack)> LastEventAsync(string name, Func<object[], bool>? match = null)
    {
        match ??= _ => true;
        await JsonEvents.WaitUntilAsync(r => r.Snapshot().Any(e => e.Name == name && match(e.Args)), $"{name} over JSON");
        await PackEvents.WaitUntilAsync(r => r.Snapshot().Any(e => e.Name == name && match(e.Args)), $"{name} over MessagePack");
        return (JsonEvents.Snapshot().Last(e => e.Name == name && match(e.Args)).Args,
            PackEvents.Snapshot().Last(e => e.Name == name && match(e.Args)).Args);
    }

    /// <summary>Fails unless both decode to the same values, member by member.</summary>
    public static void AssertSame(object? overJson, object? overPack)
    {
        Assert.NotNull(overJson);
        Assert.NotNull(overPack);
        // As object: a list may decode as List<T> one way and T[] the other; both write the same JSON array.
        Assert.Equal(JsonSerializer.Serialize<object>(overJson, Canonical), JsonSerializer.Serialize<object>(overPack, Canonical));
    }

    public static void AssertSame(object[] overJson, object[] overPack)
    {
        Assert.Equal(overJson.Length, overPack.Length);
        for (var i = 0; i < overJson.Length; i++)
        {
            AssertSame(overJson[i], overPack[i]);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Json.DisposeAsync();
        await Pack.DisposeAsync();
    }
}
