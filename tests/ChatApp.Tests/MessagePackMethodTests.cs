using System.Reflection;
using ChatApp.Contracts;
using ChatApp.Server.Hubs;

namespace ChatApp.Tests;

/// <summary>
/// Every hub method answers with the same values over JSON and over MessagePack. Reads are asked over
/// both; a write is made over MessagePack and its answer compared with the same object the server sends
/// over JSON as an event; a method without an answer is checked by the events it causes on both.
/// </summary>
public sealed class MessagePackMethodTests : IAsyncLifetime
{
    private readonly ChatServer _server = new();

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Per method: what arrived over JSON and over MessagePack, given alice and olga (both in general, alice owns secret).</summary>
    private static readonly Dictionary<string, Func<ProtocolTwin, ProtocolTwin, Task<(object Json, object Pack)>>> Cases = new()
    {
        [nameof(IChatHub.CreateRoom)] = async (alice, _) =>
        {
            var made = await alice.Pack.CreateRoomAsync("made", isPrivate: true, Ct);
            return ((await alice.LastEventAsync(nameof(IChatClient.RoomJoined), IsRoom("made"))).Json[0], made);
        },
        [nameof(IChatHub.JoinRoom)] = async (_, olga) =>
        {
            var joined = await olga.Pack.JoinRoomAsync("side", Ct);
            return ((await olga.LastEventAsync(nameof(IChatClient.RoomJoined), IsRoom("side"))).Json[0], joined);
        },
        [nameof(IChatHub.LeaveRoom)] = async (alice, olga) =>
        {
            await alice.Pack.LeaveRoomAsync("general", Ct);
            return await olga.LastEventAsync(nameof(IChatClient.UserLeft));
        },
        [nameof(IChatHub.ListRooms)] = async (alice, _) => (await alice.Json.ListRoomsAsync(Ct), await alice.Pack.ListRoomsAsync(Ct)),
        [nameof(IChatHub.InviteToRoom)] = async (alice, olga) =>
        {
            await alice.Pack.InviteToRoomAsync("secret", "olga", Ct);
            return await olga.LastEventAsync(nameof(IChatClient.RoomJoined), IsRoom("secret"));
        },
        [nameof(IChatHub.RemoveFromRoom)] = async (alice, olga) =>
        {
            await alice.Json.InviteToRoomAsync("secret", "olga", Ct);
            await alice.Pack.RemoveFromRoomAsync("secret", "olga", Ct);
            return await olga.LastEventAsync(nameof(IChatClient.RoomLeft));
        },
        [nameof(IChatHub.DeleteRoom)] = async (alice, olga) =>
        {
            await alice.Json.InviteToRoomAsync("secret", "olga", Ct);
            await alice.Pack.DeleteRoomAsync("secret", Ct);
            return await olga.LastEventAsync(nameof(IChatClient.RoomLeft));
        },
        [nameof(IChatHub.ArchiveRoom)] = async (alice, olga) =>
        {
            // secret is private, so nothing told olga of it before: the RoomChanged she hears is the archive's.
            await alice.Json.InviteToRoomAsync("secret", "olga", Ct);
            await alice.Pack.ArchiveRoomAsync("secret", archived: true, Ct);
            return await olga.LastEventAsync(nameof(IChatClient.RoomChanged), a => (string)a[0] == "secret");
        },
        [nameof(IChatHub.OpenDirect)] = async (alice, _) =>
        {
            var direct = await alice.Pack.OpenDirectAsync("olga", Ct);
            return ((await alice.LastEventAsync(nameof(IChatClient.RoomJoined), a => ((RoomInfo)a[0]).IsDirect)).Json[0], direct);
        },
        [nameof(IChatHub.GetRoomMembers)] = async (alice, _) =>
            (await alice.Json.GetRoomMembersAsync("general", Ct), await alice.Pack.GetRoomMembersAsync("general", Ct)),
        [nameof(IChatHub.MarkRead)] = async (alice, _) =>
            (await alice.Json.MarkReadAsync("general", 2, Ct), await alice.Pack.MarkReadAsync("general", 2, Ct)),
        [nameof(IChatHub.SetTyping)] = async (alice, olga) =>
        {
            await alice.Pack.SetTypingAsync("general", Ct);
            return await olga.LastEventAsync(nameof(IChatClient.Typing));
        },
        [nameof(IChatHub.SendMessage)] = async (alice, _) =>
        {
            // A retry with the same id answers with the stored original, so both protocols can ask for it.
            var id = Guid.NewGuid().ToString("N");
            return (await alice.Json.SendMessageAsync("general", "twice, stored once", id, Ct), await alice.Pack.SendMessageAsync("general", "twice, stored once", id, Ct));
        },
        [nameof(IChatHub.SendMessageWith)] = async (alice, _) =>
        {
            // A reply (extras as a nested object), sent twice with one id: the retry answers with the stored original.
            var id = Guid.NewGuid().ToString("N");
            var extras = new SendExtras { ReplyTo = 1 };
            var json = await alice.Json.SendMessageWithAsync("general", "re: needle", id, extras, Ct);
            Assert.Equal(1, json.Quoted!.Seq);
            return (json, await alice.Pack.SendMessageWithAsync("general", "re: needle", id, extras, Ct));
        },
        [nameof(IChatHub.SetRoomTopic)] = async (alice, _) =>
            (await alice.Json.SetRoomTopicAsync("side", "the side room", Ct), await alice.Pack.SetRoomTopicAsync("side", "the side room", Ct)),
        [nameof(IChatHub.EditMessage)] = async (alice, olga) =>
        {
            var edit = await alice.Pack.EditMessageAsync("general", 1, "edited @olga", Ct);
            return ((await olga.LastEventAsync(nameof(IChatClient.MessageEdited), IsEntry(edit.Seq))).Json[0], edit);
        },
        [nameof(IChatHub.DeleteMessage)] = async (alice, olga) =>
        {
            var delete = await alice.Pack.DeleteMessageAsync("general", 1, Ct);
            return ((await olga.LastEventAsync(nameof(IChatClient.MessageDeleted), IsEntry(delete.Seq))).Json[0], delete);
        },
        [nameof(IChatHub.React)] = async (alice, olga) =>
        {
            var reaction = await alice.Pack.ReactAsync("general", 2, "👍", Ct);
            return ((await olga.LastEventAsync(nameof(IChatClient.ReactionChanged), IsEntry(reaction.Seq))).Json[0], reaction);
        },
        [nameof(IChatHub.GetHistory)] = async (alice, _) =>
        {
            // Null and non-null optional arguments (long?, int?) both reach the server intact.
            var json = new[] { await alice.Json.GetHistoryAsync("general", null, null, Ct), await alice.Json.GetHistoryAsync("general", 3, 1, Ct) };
            var pack = new[] { await alice.Pack.GetHistoryAsync("general", null, null, Ct), await alice.Pack.GetHistoryAsync("general", 3, 1, Ct) };
            Assert.Equal([2L], json[1].Messages.Select(m => m.Seq));
            return (json, pack);
        },
        [nameof(IChatHub.StreamMessagesSince)] = async (alice, _) =>
            (await alice.Json.StreamMessagesSinceAsync("general", 1, Ct).ToListAsync(Ct), await alice.Pack.StreamMessagesSinceAsync("general", 1, Ct).ToListAsync(Ct)),
        [nameof(IChatHub.SearchMessages)] = async (alice, _) =>
        {
            var json = new[] { await alice.Json.SearchMessagesAsync("needle", null, null, null, Ct), await alice.Json.SearchMessagesAsync("needle", "general", long.MaxValue, 1, Ct) };
            var pack = new[] { await alice.Pack.SearchMessagesAsync("needle", null, null, null, Ct), await alice.Pack.SearchMessagesAsync("needle", "general", long.MaxValue, 1, Ct) };
            Assert.Equal(3, json[0].Results.Count);
            Assert.Single(json[1].Results);
            return (json, pack);
        },
    };

    public static TheoryData<string> Methods => [.. Cases.Keys];

    [Fact]
    public void EveryMethodOfTheContractHasACase() =>
        Assert.Equal(typeof(IChatHub).GetMethods().Select(m => m.Name).Order(), Cases.Keys.Order());

    [Fact]
    public void TheHubOffersNoMethodOutsideTheContract()
    {
        // A public method on the hub is callable over the wire: one missing from IChatHub would have no case above.
        var hubMethods = typeof(ChatHub).GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
            .Where(m => !m.IsSpecialName && m.Name is not (nameof(ChatHub.OnConnectedAsync) or nameof(ChatHub.OnDisconnectedAsync)))
            .Select(m => m.Name);
        Assert.Equal(typeof(IChatHub).GetMethods().Select(m => m.Name).Order(), hubMethods.Order());
    }

    [Theory]
    [MemberData(nameof(Methods))]
    public async Task AMethodAnswersTheSameOverJsonAndMessagePack(string method)
    {
        await using var alice = await ProtocolTwin.ConnectAsync(_server, "alice", "general");
        await using var olga = await ProtocolTwin.ConnectAsync(_server, "olga", "general");
        await alice.Json.CreateRoomAsync("side", isPrivate: false, Ct);
        await alice.Json.CreateRoomAsync("secret", isPrivate: true, Ct);
        for (var i = 1; i <= 3; i++)
        {
            var sender = i % 2 == 1 ? alice : olga;
            await sender.Json.SendMessageAsync("general", $"needle {i} for @{(i % 2 == 1 ? "olga" : "alice")}", Guid.NewGuid().ToString("N"), Ct);
        }

        await alice.Json.ReactAsync("general", 1, "🎉", Ct);

        var (overJson, overPack) = await Cases[method](alice, olga).WaitAsync(ChatServer.Timeout, Ct);

        if (overJson is object[] jsonArgs && overPack is object[] packArgs)
        {
            ProtocolTwin.AssertSame(jsonArgs, packArgs);
        }
        else
        {
            ProtocolTwin.AssertSame(overJson, overPack);
        }
    }

    private static Func<object[], bool> IsEntry(long seq) => args => ((ChatMessage)args[0]).Seq == seq;

    private static Func<object[], bool> IsRoom(string name) => args => ((RoomInfo)args[0]).Name == name;
}
