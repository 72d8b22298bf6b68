using ChatApp.Client;
using ChatApp.Contracts;

namespace ChatApp.Tests;

/// <summary>Every hub event decodes to the same values over JSON and over MessagePack.</summary>
public sealed class MessagePackEventTests : IAsyncLifetime
{
    private readonly ChatServer _server = new();

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>What makes the server send each event to olga, the observer; alice acts over JSON.</summary>
    private static readonly Dictionary<string, Func<ChatUserSession, ProtocolTwin, Task>> Triggers = new()
    {
        [nameof(IChatClient.MessageReceived)] = (alice, _) => SendAsync(alice, "hello @olga, with ümlauts and 👍"),
        [nameof(IChatClient.MessageEdited)] = async (alice, _) =>
            await alice.Connection.EditMessageAsync("general", (await SendAsync(alice, "first")).Seq, "second @olga", Ct),
        [nameof(IChatClient.MessageDeleted)] = async (alice, _) =>
            await alice.Connection.DeleteMessageAsync("general", (await SendAsync(alice, "oops")).Seq, Ct),
        [nameof(IChatClient.ReactionChanged)] = async (alice, _) =>
            await alice.Connection.ReactAsync("general", (await SendAsync(alice, "react to me")).Seq, "🎉", Ct),
        [nameof(IChatClient.UserOnline)] = async (alice, olga) =>
        {
            // The server hears of the close after StopAsync returns: a new connection before that would be alice's second, not her first.
            await alice.Connection.StopAsync(Ct);
            await olga.LastEventAsync(nameof(IChatClient.UserOffline));
            await alice.Connection.StartAsync(Ct);
        },
        [nameof(IChatClient.UserOffline)] = (alice, _) => alice.Connection.StopAsync(Ct),
        [nameof(IChatClient.UserJoined)] = (alice, _) => alice.Connection.JoinRoomAsync("side", Ct),
        [nameof(IChatClient.UserLeft)] = (alice, _) => alice.Connection.LeaveRoomAsync("general", Ct),
        [nameof(IChatClient.Typing)] = (alice, _) => alice.Connection.SetTypingAsync("general", Ct),
        [nameof(IChatClient.RoomJoined)] = (alice, _) => alice.Connection.OpenDirectAsync("olga", Ct),
        [nameof(IChatClient.RoomLeft)] = async (alice, _) =>
        {
            await alice.Connection.CreateRoomAsync("secret", isPrivate: true, Ct);
            await alice.Connection.InviteToRoomAsync("secret", "olga", Ct);
            await alice.Connection.RemoveFromRoomAsync("secret", "olga", Ct);
        },
        [nameof(IChatClient.RoomChanged)] = (alice, _) => alice.Connection.CreateRoomAsync("lobby", isPrivate: false, Ct),
    };

    /// <summary>
    /// Which event of that name the trigger caused: setting up olga (joining rooms) sends some of the same names,
    /// and those may arrive on one connection later than on the other.
    /// </summary>
    private static readonly Dictionary<string, Func<object[], bool>> Caused = new()
    {
        [nameof(IChatClient.RoomJoined)] = args => ((RoomInfo)args[0]).IsDirect,
        [nameof(IChatClient.RoomLeft)] = args => (string)args[0] == "secret",
        [nameof(IChatClient.RoomChanged)] = args => (string)args[0] == "lobby",
        [nameof(IChatClient.UserJoined)] = args => (string)args[1] == "alice",
        [nameof(IChatClient.UserLeft)] = args => (string)args[1] == "alice",
        [nameof(IChatClient.UserOnline)] = args => (string)args[0] == "alice",
        [nameof(IChatClient.UserOffline)] = args => (string)args[0] == "alice",
    };

    public static TheoryData<string> Events => [.. Triggers.Keys];

    [Fact]
    public void EveryEventOfIChatClientHasACase() =>
        Assert.Equal(typeof(IChatClient).GetMethods().Select(m => m.Name).Order(), Triggers.Keys.Order());

    [Theory]
    [MemberData(nameof(Events))]
    public async Task AnEventArrivesTheSameOverJsonAndMessagePack(string name)
    {
        await using var alice = await _server.UserAsync("alice", "general");
        await alice.Connection.CreateRoomAsync("side", isPrivate: false, Ct);
        await alice.Connection.LeaveRoomAsync("side", Ct);
        await using var olga = await ProtocolTwin.ConnectAsync(_server, "olga", "general", "side");

        await Triggers[name](alice, olga);

        var (overJson, overPack) = await olga.LastEventAsync(name, Caused.GetValueOrDefault(name));
        ProtocolTwin.AssertSame(overJson, overPack);
        if (overJson[0] is ChatMessage entry)
        {
            // Not a vacuous match: the server's values came through.
            Assert.Equal("alice", entry.Sender);
            Assert.NotEqual(default, entry.SentAt);
        }
    }

    private static Task<ChatMessage> SendAsync(ChatUserSession alice, string text) =>
        alice.Connection.SendMessageAsync("general", text, Guid.NewGuid().ToString("N"), Ct);
}
