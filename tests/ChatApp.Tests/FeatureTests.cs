using System.Net;
using System.Net.Http.Json;
using ChatApp.Contracts;
using Microsoft.AspNetCore.SignalR;

namespace ChatApp.Tests;

public class FeatureTests : IAsyncLifetime
{
    private ChatServer _server = null!; // set by InitializeAsync, which xunit runs before each test

    /// <summary>Storage settings for the server: none is SQLite in a temp folder; PostgresFeatureTests runs these tests on PostgreSQL.</summary>
    protected virtual Task<Dictionary<string, string>> StorageAsync() => Task.FromResult(new Dictionary<string, string>());

    public async ValueTask InitializeAsync() =>
        _server = new(new Dictionary<string, string>(await StorageAsync()) { ["Chat:TypingThrottleMilliseconds"] = "60000" });

    public ValueTask DisposeAsync() => _server?.DisposeAsync() ?? ValueTask.CompletedTask;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string NewId() => Guid.NewGuid().ToString("N");

    [Fact]
    public async Task PrivateRoomsAreReachedOnlyByInvitationAndTheOwnerCanRemoveMembers()
    {
        await using var owner = await _server.UserAsync("olivia");
        await using var guest = await _server.UserAsync("gus");
        await owner.Connection.CreateRoomAsync("secret", true, Ct);

        var refused = await Assert.ThrowsAsync<HubException>(() => guest.Connection.JoinRoomAsync("secret", Ct));
        Assert.Contains("private", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(await guest.Connection.ListRoomsAsync(Ct), r => r.Name == "secret");

        await owner.Connection.InviteToRoomAsync("secret", "gus", Ct);
        var joined = await guest.Events.WaitForEventsAsync(nameof(EventRecorder.RoomJoined), 1);
        Assert.Contains(await guest.Connection.ListRoomsAsync(Ct), r => r.Name == "secret" && r.IsMember && r.IsPrivate);
        await owner.Connection.SendMessageAsync("secret", "welcome in", NewId(), Ct);
        Assert.Equal("welcome in", (await guest.Events.WaitForMessagesAsync(1, "secret"))[0].Text);

        var notOwner = await Assert.ThrowsAsync<HubException>(() => guest.Connection.RemoveFromRoomAsync("secret", "olivia", Ct));
        Assert.Contains("Only the owner", notOwner.Message, StringComparison.Ordinal);

        await owner.Connection.RemoveFromRoomAsync("secret", "gus", Ct);
        await guest.Events.WaitForEventsAsync(nameof(EventRecorder.RoomLeft), 1);
        await owner.Connection.SendMessageAsync("secret", "after removal", NewId(), Ct);
        await Assert.ThrowsAsync<HubException>(() => guest.Connection.GetHistoryAsync("secret", null, null, Ct));
        Assert.DoesNotContain(guest.Events.Entries(), m => m.Text == "after removal");
        Assert.Single(joined);
    }

    [Fact]
    public async Task ADirectConversationIsTheSameRoomWhicheverSideOpensIt()
    {
        await using var alice = await _server.UserAsync("alice");
        await using var bob = await _server.UserAsync("bob");

        var fromAlice = await alice.Connection.OpenDirectAsync("bob", Ct);
        var fromBob = await bob.Connection.OpenDirectAsync("ALICE", Ct);
        Assert.Equal(fromAlice.Name, fromBob.Name);
        Assert.True(fromAlice.IsDirect && fromAlice.IsPrivate);
        Assert.Equal("bob", fromAlice.DirectWith);
        Assert.Equal("alice", fromBob.DirectWith);

        await alice.Connection.SendMessageAsync(fromAlice.Name, "psst", NewId(), Ct);
        Assert.Equal("psst", (await bob.Events.WaitForMessagesAsync(1, fromAlice.Name))[0].Text);

        var self = await Assert.ThrowsAsync<HubException>(() => alice.Connection.OpenDirectAsync("alice", Ct));
        Assert.Contains("yourself", self.Message, StringComparison.Ordinal);
        var nobody = await Assert.ThrowsAsync<HubException>(() => alice.Connection.OpenDirectAsync("nobody-at-all", Ct));
        Assert.Contains("no user", nobody.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NoReadOrWriteOperationSucceedsForANonMemberOfAPrivateRoomOrADirectConversation()
    {
        await using var alice = await _server.UserAsync("alice");
        await using var bob = await _server.UserAsync("bob");
        await using var eve = await _server.UserAsync("eve", "general");
        await alice.Connection.CreateRoomAsync("inner", true, Ct);
        var dm = (await alice.Connection.OpenDirectAsync("bob", Ct)).Name;
        foreach (var room in new[] { "inner", dm })
        {
            await alice.Connection.SendMessageAsync(room, $"classified in {room} needle", NewId(), Ct);
        }

        using var http = _server.CreateHttpClient(eve.Token);
        foreach (var room in new[] { "inner", dm })
        {
            var c = eve.Connection;
            var attempts = new Dictionary<string, Func<Task>>
            {
                ["JoinRoom"] = () => c.JoinRoomAsync(room, Ct),
                ["LeaveRoom"] = () => c.LeaveRoomAsync(room, Ct),
                ["SendMessage"] = () => c.SendMessageAsync(room, "let me in", NewId(), Ct),
                ["GetHistory"] = () => c.GetHistoryAsync(room, null, null, Ct),
                ["StreamMessagesSince"] = async () => await c.StreamMessagesSinceAsync(room, 0, Ct).ToListAsync(Ct),
                ["GetRoomMembers"] = () => c.GetRoomMembersAsync(room, Ct),
                ["EditMessage"] = () => c.EditMessageAsync(room, 1, "mine now", Ct),
                ["DeleteMessage"] = () => c.DeleteMessageAsync(room, 1, Ct),
                ["React"] = () => c.ReactAsync(room, 1, "👀", Ct),
                ["MarkRead"] = () => c.MarkReadAsync(room, 1, Ct),
                ["SetTyping"] = () => c.SetTypingAsync(room, Ct),
                ["InviteToRoom"] = () => c.InviteToRoomAsync(room, "eve", Ct),
                ["RemoveFromRoom"] = () => c.RemoveFromRoomAsync(room, "alice", Ct),
                ["SearchMessages(room)"] = () => c.SearchMessagesAsync("needle", room, null, null, Ct),
            };
            foreach (var (name, attempt) in attempts)
            {
                var error = await Record.ExceptionAsync(attempt);
                Assert.True(error is HubException, $"{name} on {room} should be refused, got {error?.GetType().Name ?? "success"}");
            }

            var escaped = Uri.EscapeDataString(room);
            foreach (var path in new[] { $"/api/rooms/{escaped}/messages", $"/api/rooms/{escaped}/members", $"/api/search?q=needle&room={escaped}" })
            {
                using var response = await http.GetAsync(path, Ct);
                Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"GET {path} answered {response.StatusCode}");
            }

            using var post = await http.PostAsJsonAsync($"/api/rooms/{escaped}/messages", new PostMessageRequest("let me in", NewId()), Ct);
            Assert.Equal(HttpStatusCode.NotFound, post.StatusCode);
        }

        var search = await eve.Connection.SearchMessagesAsync("needle", null, null, null, Ct);
        Assert.Empty(search.Results);
        Assert.DoesNotContain(await eve.Connection.ListRoomsAsync(Ct), r => r.IsPrivate);
        Assert.DoesNotContain(await http.GetFromJsonAsync<RoomInfo[]>("/api/rooms", Ct) ?? [], r => r.IsPrivate);
        Assert.DoesNotContain(eve.Events.Entries(), m => m.Room != "general");

        // Nothing eve tried changed anything: still one message in each room.
        foreach (var room in new[] { "inner", dm })
        {
            var log = await alice.Connection.StreamMessagesSinceAsync(room, 0, Ct).ToListAsync(Ct);
            Assert.Single(log);
        }
    }

    [Fact]
    public async Task EditsDeletesAndReactionsGoLiveAndReplayFromTheLog()
    {
        await using var alice = await _server.UserAsync("alice", "general");
        await using var bob = await _server.UserAsync("bob", "general");
        var first = await alice.Connection.SendMessageAsync("general", "helo", NewId(), Ct);
        var second = await alice.Connection.SendMessageAsync("general", "to be deleted", NewId(), Ct);
        var caughtUpTo = (await bob.Events.WaitForMessagesAsync(2, "general"))[^1].Seq;

        var edit = await alice.Connection.EditMessageAsync("general", first.Seq, "hello", Ct);
        var like = await bob.Connection.ReactAsync("general", first.Seq, "👍", Ct);
        var delete = await alice.Connection.DeleteMessageAsync("general", second.Seq, Ct);

        Assert.Equal([EntryKinds.Edit, EntryKinds.Reaction, EntryKinds.Delete], new[] { edit.Kind, like.Kind, delete.Kind });
        Assert.Equal([3L, 4L, 5L], new[] { edit.Seq, like.Seq, delete.Seq });
        Assert.Equal(first.Seq, edit.TargetSeq);
        Assert.Equal(new ReactionCount("👍", 1, Mine: true), like.Reactions.Single());
        Assert.Equal("hello", (await bob.Events.WaitForAsync(nameof(EventRecorder.MessageEdited), 1))[0].Text);
        Assert.Equal(first.Seq, (await bob.Events.WaitForAsync(nameof(EventRecorder.ReactionChanged), 1))[0].TargetSeq);
        Assert.Equal(second.Seq, (await bob.Events.WaitForAsync(nameof(EventRecorder.MessageDeleted), 1))[0].TargetSeq);

        var replay = await bob.Connection.StreamMessagesSinceAsync("general", caughtUpTo, Ct).ToListAsync(Ct);
        Assert.Equal([EntryKinds.Edit, EntryKinds.Reaction, EntryKinds.Delete], replay.Select(e => e.Kind));
        Assert.Equal((edit.Text, edit.TargetSeq, edit.EditedAt), (replay[0].Text, replay[0].TargetSeq, replay[0].EditedAt));

        var history = await bob.Connection.GetHistoryAsync("general", null, null, Ct);
        Assert.Equal(["hello", ""], history.Messages.Select(m => m.Text));
        Assert.NotNull(history.Messages[0].EditedAt);
        Assert.True(history.Messages[1].Deleted);
        Assert.Equal(new ReactionCount("👍", 1, Mine: true), history.Messages[0].Reactions.Single());
        Assert.Equal(new ReactionCount("👍", 1, Mine: false), (await alice.Connection.GetHistoryAsync("general", null, null, Ct)).Messages[0].Reactions.Single());

        var unlike = await bob.Connection.ReactAsync("general", first.Seq, "👍", Ct);
        Assert.Empty(unlike.Reactions);

        var notYours = await Assert.ThrowsAsync<HubException>(() => bob.Connection.EditMessageAsync("general", first.Seq, "hijack", Ct));
        Assert.Contains("your own", notYours.Message, StringComparison.Ordinal);
        var gone = await Assert.ThrowsAsync<HubException>(() => alice.Connection.EditMessageAsync("general", second.Seq, "undo", Ct));
        Assert.Contains("deleted", gone.Message, StringComparison.Ordinal);
        var noSuch = await Assert.ThrowsAsync<HubException>(() => alice.Connection.ReactAsync("general", 999, "👍", Ct));
        Assert.Contains("no message #999", noSuch.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheOwnerCanDeleteAnyMessageInTheRoomButMembersOnlyTheirOwn()
    {
        await using var owner = await _server.UserAsync("olivia");
        await owner.Connection.CreateRoomAsync("club", false, Ct);
        await using var member = await _server.UserAsync("mike", "club");
        await using var other = await _server.UserAsync("nora", "club");
        var spam = await member.Connection.SendMessageAsync("club", "spam", NewId(), Ct);

        var refused = await Assert.ThrowsAsync<HubException>(() => other.Connection.DeleteMessageAsync("club", spam.Seq, Ct));
        Assert.Contains("your own", refused.Message, StringComparison.Ordinal);
        var deleted = await owner.Connection.DeleteMessageAsync("club", spam.Seq, Ct);
        Assert.Equal(spam.Seq, deleted.TargetSeq);
    }

    [Fact]
    public async Task UnreadAndMentionCountsFollowTheReadMarker()
    {
        await using var alice = await _server.UserAsync("alice", "general");
        await using var bob = await _server.UserAsync("bob", "general");
        await alice.Connection.SendMessageAsync("general", "hello all", NewId(), Ct);
        var mention = await alice.Connection.SendMessageAsync("general", "hey @Bob, look", NewId(), Ct);
        await alice.Connection.SendMessageAsync("general", "and @nobody-real", NewId(), Ct);
        await bob.Connection.SendMessageAsync("general", "my own message is never unread", NewId(), Ct);

        Assert.Equal(["bob"], mention.Mentions);
        var general = (await bob.Connection.ListRoomsAsync(Ct)).Single(r => r.Name == "general");
        Assert.Equal((3, 1), (general.Unread, general.Mentions));

        var afterRead = await bob.Connection.MarkReadAsync("general", mention.Seq, Ct);
        Assert.Equal((1, 0), (afterRead.Unread, afterRead.Mentions));
        var backwards = await bob.Connection.MarkReadAsync("general", 1, Ct);
        Assert.Equal(mention.Seq, backwards.LastReadSeq);

        var all = await bob.Connection.MarkReadAsync("general", long.MaxValue, Ct);
        Assert.Equal((0, 0, general.LastSeq), (all.Unread, all.Mentions, all.LastReadSeq));

        using var http = _server.CreateHttpClient(alice.Token);
        var aliceRooms = await http.GetFromJsonAsync<RoomInfo[]>("/api/rooms", Ct);
        Assert.Equal(1, aliceRooms!.Single(r => r.Name == "general").Unread);
    }

    [Fact]
    public async Task PresenceCountsTabsOnceAndTypingReachesOthersThrottledAndUnstored()
    {
        await using var alice = await _server.UserAsync("alice", "general");
        var bob = await _server.UserAsync("bob", "general");
        var bobSecondTab = await _server.ConnectAsync(bob.Token);

        var members = await alice.Connection.GetRoomMembersAsync("general", Ct);
        Assert.Contains(members, m => m.UserName == "bob" && m.Online);

        await bob.Connection.SetTypingAsync("general", Ct);
        await bob.Connection.SetTypingAsync("general", Ct); // throttled: within the interval
        var typing = await alice.Events.WaitForEventsAsync(nameof(EventRecorder.Typing), 1);
        Assert.Equal(["general", "bob"], typing[0].Cast<string>());

        await bob.DisposeAsync();
        await alice.Connection.SendMessageAsync("general", "a marker after bob's first tab closed", NewId(), Ct);
        await alice.Events.WaitForMessagesAsync(1, "general");
        Assert.DoesNotContain(alice.Events.Snapshot(), e => e.Name == nameof(EventRecorder.UserOffline));

        await bobSecondTab.DisposeAsync();
        await alice.Events.WaitUntilAsync(r => r.Snapshot().Any(e => e.Name == nameof(EventRecorder.UserOffline) && (string)e.Args[0] == "bob"), "bob offline");
        Assert.Contains(await alice.Connection.GetRoomMembersAsync("general", Ct), m => m.UserName == "bob" && !m.Online);
        Assert.Single(alice.Events.Snapshot(), e => e.Name == nameof(EventRecorder.Typing));
        Assert.Single((await alice.Connection.GetHistoryAsync("general", null, null, Ct)).Messages);
    }

    [Fact]
    public async Task SearchFindsReadableMessagesNewestFirstInPages()
    {
        await using var alice = await _server.UserAsync("alice", "general");
        await using var bob = await _server.UserAsync("bob", "general");
        for (var i = 1; i <= 5; i++)
        {
            await alice.Connection.SendMessageAsync("general", $"deploy number {i} done", NewId(), Ct);
        }

        await alice.Connection.SendMessageAsync("general", "unrelated chatter", NewId(), Ct);
        var doomed = await alice.Connection.SendMessageAsync("general", "deploy secret to be deleted", NewId(), Ct);
        await alice.Connection.DeleteMessageAsync("general", doomed.Seq, Ct);
        await alice.Connection.CreateRoomAsync("ops", true, Ct);
        await alice.Connection.SendMessageAsync("ops", "deploy in the private room", NewId(), Ct);

        var page1 = await bob.Connection.SearchMessagesAsync("deploy", null, null, 3, Ct);
        Assert.Equal(["deploy number 5 done", "deploy number 4 done", "deploy number 3 done"], page1.Results.Select(m => m.Text));
        Assert.True(page1.HasMore);
        var page2 = await bob.Connection.SearchMessagesAsync("deploy", null, page1.Results[^1].Id, 3, Ct);
        Assert.Equal(["deploy number 2 done", "deploy number 1 done"], page2.Results.Select(m => m.Text));
        Assert.False(page2.HasMore);

        var prefix = await bob.Connection.SearchMessagesAsync("numb", "general", null, null, Ct);
        Assert.Equal(5, prefix.Results.Count);
        var aliceSees = await alice.Connection.SearchMessagesAsync("deploy", null, null, null, Ct);
        Assert.Equal("ops", aliceSees.Results[0].Room);
        Assert.Equal(6, aliceSees.Results.Count);
        var syntax = await bob.Connection.SearchMessagesAsync("\"deploy (", null, null, null, Ct);
        Assert.Equal(5, syntax.Results.Count);

        using var http = _server.CreateHttpClient(bob.Token);
        var rest = await http.GetFromJsonAsync<SearchPage>("/api/search?q=deploy%20number%203", Ct);
        Assert.Equal(["deploy number 3 done"], rest!.Results.Select(m => m.Text));
        using var empty = await http.GetAsync("/api/search?q=%20", Ct);
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
    }
}
