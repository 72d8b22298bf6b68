using System.Net;
using System.Net.Http.Json;
using ChatApp.Client;
using ChatApp.Contracts;
using Microsoft.AspNetCore.SignalR;

namespace ChatApp.Tests;

/// <summary>Sending: order and identity, idempotent retries, refusals, rooms, REST posts, and fifty senders at once.</summary>
public class MessagingTests : IAsyncLifetime
{
    // Fifty concurrent senders and hundreds of messages from one user: faster than the rate limits allow, so they are off here.
    private ChatServer _server = null!; // set by InitializeAsync, which xunit runs before each test

    /// <summary>Storage settings for the server: none is SQLite in a temp folder; PostgresMessagingTests runs these tests on PostgreSQL.</summary>
    protected virtual Task<Dictionary<string, string>> StorageAsync() => Task.FromResult(new Dictionary<string, string>());

    public async ValueTask InitializeAsync() =>
        _server = new(new Dictionary<string, string>(await StorageAsync()) { ["Limits:Enabled"] = "false" });

    public ValueTask DisposeAsync() => _server?.DisposeAsync() ?? ValueTask.CompletedTask;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string NewId() => Guid.NewGuid().ToString("N");

    private static object Key(ChatMessage m) => (m.Id, m.Room, m.Seq, m.Sender, m.Text, m.SentAt, m.ClientMessageId);

    [Fact]
    public async Task SendMessageReachesEveryMemberInSeqOrder()
    {
        await using var alice = await _server.UserAsync("alice", "general");
        await using var bob = await _server.UserAsync("bob", "general");
        await using var carol = await _server.UserAsync("carol", "general");

        var acks = new List<ChatMessage>();
        for (var i = 0; i < 5; i++)
        {
            acks.Add(await alice.Connection.SendMessageAsync("general", $"hello {i}", NewId(), Ct));
            acks.Add(await bob.Connection.SendMessageAsync("general", $"hi {i}", NewId(), Ct));
        }

        Assert.Equal(Enumerable.Range(1, 10).Select(i => (long)i), acks.Select(a => a.Seq));
        Assert.All(acks.Take(1), a => Assert.Equal("alice", a.Sender));
        foreach (var user in new[] { alice, bob, carol })
        {
            var received = await user.Events.WaitForMessagesAsync(10, "general");
            Assert.Equal(acks.Select(a => a.Seq), received.Select(m => m.Seq));
            Assert.Equal(acks.Select(a => a.Text), received.Select(m => m.Text));
        }
    }

    [Fact]
    public async Task TheSenderIsTheTokensUserWhateverThePayloadSays()
    {
        await using var alice = await _server.UserAsync("alice", "general");
        var message = await alice.Connection.SendMessageAsync("general", "I am bob", NewId(), Ct);
        Assert.Equal("alice", message.Sender);
    }

    [Fact]
    public async Task ARetryWithTheSameClientMessageIdReturnsTheOriginalAndStoresNothingNew()
    {
        await using var alice = await _server.UserAsync("alice", "general");
        await using var bob = await _server.UserAsync("bob", "general");
        var id = NewId();

        var first = await alice.Connection.SendMessageAsync("general", "once", id, Ct);
        var retry = await alice.Connection.SendMessageAsync("general", "once", id, Ct);
        var marker = await alice.Connection.SendMessageAsync("general", "after", NewId(), Ct);

        Assert.Equal(Key(first), Key(retry));
        Assert.Equal(first.Seq + 1, marker.Seq);
        var received = await bob.Events.WaitForMessagesAsync(2, "general");
        Assert.Equal(["once", "after"], received.Select(m => m.Text));
        var history = await alice.Connection.GetHistoryAsync("general", null, null, Ct);
        Assert.Equal(2, history.Messages.Count);

        await alice.Connection.CreateRoomAsync("elsewhere", false, Ct);
        var reused = await Assert.ThrowsAsync<HubException>(() => alice.Connection.SendMessageAsync("elsewhere", "once", id, Ct));
        Assert.Contains("another room", reused.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("general", "", "cannot be empty")]
    [InlineData("general", "   ", "cannot be empty")]
    [InlineData("no-such-room", "hi", "no room named")]
    [InlineData("Bad Name!", "hi", "room name")]
    public async Task BadSendsAreHubExceptionsAndTheConnectionStaysUp(string room, string text, string reason)
    {
        await using var alice = await _server.UserAsync("alice", "general");
        var error = await Assert.ThrowsAsync<HubException>(() => alice.Connection.SendMessageAsync(room, text, NewId(), Ct));
        Assert.Contains(reason, error.Message, StringComparison.OrdinalIgnoreCase);

        var ok = await alice.Connection.SendMessageAsync("general", "still connected", NewId(), Ct);
        Assert.Equal(1, ok.Seq);
    }

    [Fact]
    public async Task OverLongTextsAndMissingIdsAndNonMembersAreRefusedPlainly()
    {
        await using var alice = await _server.UserAsync("alice", "general");
        await using var bob = await _server.UserAsync("bob");

        var tooLong = await Assert.ThrowsAsync<HubException>(() => alice.Connection.SendMessageAsync("general", new string('x', 4_001), NewId(), Ct));
        Assert.Contains("at most 4000", tooLong.Message, StringComparison.Ordinal);
        var exactly = await alice.Connection.SendMessageAsync("general", new string('x', 4_000), NewId(), Ct);
        Assert.Equal(4_000, exactly.Text.Length);

        var noId = await Assert.ThrowsAsync<HubException>(() => alice.Connection.SendMessageAsync("general", "hi", "", Ct));
        Assert.Contains("clientMessageId", noId.Message, StringComparison.Ordinal);

        var notMember = await Assert.ThrowsAsync<HubException>(() => bob.Connection.SendMessageAsync("general", "hi", NewId(), Ct));
        Assert.Contains("not a member", notMember.Message, StringComparison.Ordinal);

        var taken = await Assert.ThrowsAsync<HubException>(() => alice.Connection.CreateRoomAsync("general", false, Ct));
        Assert.Contains("already exists", taken.Message, StringComparison.Ordinal);
        Assert.Equal(HubConnectionStateConnected, alice.Connection.State.ToString());
    }

    private const string HubConnectionStateConnected = "Connected";

    [Fact]
    public async Task RoomsCanBeCreatedJoinedListedAndLeft()
    {
        await using var alice = await _server.UserAsync("alice");
        await using var bob = await _server.UserAsync("bob");

        var created = await alice.Connection.CreateRoomAsync("Dev-Talk", false, Ct);
        Assert.Equal("dev-talk", created.Name);
        Assert.True(created.IsMember);

        var joined = await bob.Connection.JoinRoomAsync("dev-talk", Ct);
        await alice.Connection.SendMessageAsync("dev-talk", "welcome", NewId(), Ct);
        await bob.Events.WaitForMessagesAsync(1, "dev-talk");

        var rooms = await bob.Connection.ListRoomsAsync(Ct);
        Assert.Contains(rooms, r => r.Name == "dev-talk" && r.IsMember && r.LastSeq == 1);
        Assert.Contains(rooms, r => r.Name == "general" && !r.IsMember);

        await bob.Connection.LeaveRoomAsync("dev-talk", Ct);
        await alice.Connection.SendMessageAsync("dev-talk", "bye", NewId(), Ct);
        var afterLeave = await Assert.ThrowsAsync<HubException>(() => bob.Connection.SendMessageAsync("dev-talk", "hello?", NewId(), Ct));
        Assert.Contains("not a member", afterLeave.Message, StringComparison.Ordinal);
        Assert.Single(bob.Events.Entries(), m => m.Room == "dev-talk");
        Assert.Equal(0, joined.LastSeq);
    }

    [Fact]
    public async Task RestPostsGoThroughTheSamePipelineAndReachHubMembersLive()
    {
        await using var alice = await _server.UserAsync("alice", "general");
        await using var bot = await _server.UserAsync("integration-bot", "general");
        using var http = _server.CreateHttpClient(bot.Token);
        var id = NewId();

        using var created = await http.PostAsJsonAsync("/api/rooms/general/messages", new PostMessageRequest("from REST", id), Ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var stored = await created.Content.ReadFromJsonAsync<ChatMessage>(Ct);
        Assert.NotNull(stored);
        var live = await alice.Events.WaitForMessagesAsync(1, "general");
        Assert.Equal(Key(stored), Key(live[0]));

        using var retried = await http.PostAsJsonAsync("/api/rooms/general/messages", new PostMessageRequest("from REST", id), Ct);
        Assert.Equal(HttpStatusCode.OK, retried.StatusCode);
        Assert.Equal(stored.Seq, (await retried.Content.ReadFromJsonAsync<ChatMessage>(Ct))!.Seq);

        using var bad = await http.PostAsJsonAsync("/api/rooms/general/messages", new PostMessageRequest("", NewId()), Ct);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        using var missing = await http.PostAsJsonAsync("/api/rooms/nowhere/messages", new PostMessageRequest("x", NewId()), Ct);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);

        var page = await http.GetFromJsonAsync<HistoryPage>("/api/rooms/general/messages", Ct);
        Assert.Equal(["from REST"], page!.Messages.Select(m => m.Text));
    }

    [Fact]
    public async Task FiftyConcurrentSendersAreEachStoredOnceAndEveryMemberGetsAllInSeqOrder()
    {
        const int senders = 50;
        const int perSender = 4;
        // Accounts one after another: fifty concurrent password hashes on two cores can hold the connects past
        // their timeout, and what this test is about is the concurrent sends below.
        var users = new List<ChatUserSession>();
        for (var i = 0; i < senders; i++)
        {
            users.Add(await _server.UserAsync($"sender{i:00}", "general"));
        }

        try
        {
            var acks = await Task.WhenAll(users.SelectMany(u => Enumerable.Range(0, perSender).Select(async i =>
            {
                var id = $"{u.Name}-{i}";
                var ack = await u.Connection.SendMessageAsync("general", $"{u.Name} #{i}", id, Ct);
                // A retry racing the original must not create a second message either.
                var again = await u.Connection.SendMessageAsync("general", $"{u.Name} #{i}", id, Ct);
                Assert.Equal(ack.Seq, again.Seq);
                return ack;
            })));

            const int total = senders * perSender;
            Assert.Equal(Enumerable.Range(1, total).Select(i => (long)i), acks.Select(a => a.Seq).Order());
            foreach (var user in users)
            {
                var received = await user.Events.WaitForMessagesAsync(total, "general");
                Assert.Equal(Enumerable.Range(1, total).Select(i => (long)i), received.Select(m => m.Seq));
            }

            var stored = await users[0].Connection.StreamMessagesSinceAsync("general", 0, Ct).ToListAsync(Ct);
            Assert.Equal(total, stored.Count);
            Assert.Equal(total, stored.Select(m => (m.Sender, m.ClientMessageId)).Distinct().Count());
        }
        finally
        {
            foreach (var user in users)
            {
                await user.DisposeAsync();
            }
        }
    }
}
