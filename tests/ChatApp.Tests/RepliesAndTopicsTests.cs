using System.Net;
using System.Net.Http.Json;
using ChatApp.Contracts;
using Microsoft.AspNetCore.SignalR;

namespace ChatApp.Tests;

/// <summary>Replies (stored, live, in history and catch-up), room topics and the directory entries of issue #13.</summary>
public sealed class RepliesAndTopicsTests : IAsyncLifetime
{
    private readonly ChatServer _server = new();

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string NewId() => Guid.NewGuid().ToString("N");

    [Fact]
    public async Task AReplyCarriesItsOriginalLiveInHistoryAndInCatchUpAndShowsTheOriginalDeletedOnceItIs()
    {
        await using var alice = await _server.UserAsync("alice", "general");
        await using var bob = await _server.UserAsync("bob", "general");
        var original = await alice.Connection.SendMessageAsync("general", "lunch at noon?", NewId(), Ct);

        var reply = await bob.Connection.SendMessageWithAsync("general", "yes please", NewId(), new SendExtras { ReplyTo = original.Seq }, Ct);
        Assert.Equal(original.Seq, reply.ReplyTo);
        Assert.Equal(new ReplyPreview(original.Seq, "alice", "lunch at noon?", false), reply.Quoted);

        var live = (await alice.Events.WaitForMessagesAsync(2, "general"))[1];
        Assert.Equal(original.Seq, live.ReplyTo);
        Assert.Equal("alice", live.Quoted!.Sender);

        await alice.Connection.DeleteMessageAsync("general", original.Seq, Ct);
        var history = await bob.Connection.GetHistoryAsync("general", null, null, Ct);
        var stored = history.Messages.Single(m => m.Seq == reply.Seq);
        Assert.Equal(new ReplyPreview(original.Seq, "alice", "", true), stored.Quoted);

        var caughtUp = new List<ChatMessage>();
        await foreach (var entry in bob.Connection.StreamMessagesSinceAsync("general", 0, Ct))
        {
            caughtUp.Add(entry);
        }

        Assert.Equal(original.Seq, caughtUp.Single(m => m.Seq == reply.Seq).ReplyTo);
        Assert.True(caughtUp.Single(m => m.Seq == reply.Seq).Quoted!.Deleted);
    }

    [Fact]
    public async Task AReplyToAMessageOfAnotherRoomToAMissingOneOrToADeletedOneIsRefusedAndNothingIsStored()
    {
        await using var alice = await _server.UserAsync("alice", "general");
        await alice.Connection.CreateRoomAsync("random", false, Ct);
        var elsewhere = await alice.Connection.SendMessageAsync("random", "over here", NewId(), Ct);
        var here = await alice.Connection.SendMessageAsync("general", "first", NewId(), Ct);
        await alice.Connection.DeleteMessageAsync("general", here.Seq, Ct);
        var lastSeq = (await alice.Connection.ListRoomsAsync(Ct)).Single(r => r.Name == "general").LastSeq;

        // random's message has a seq that general does not have at all.
        var otherRoom = await Assert.ThrowsAsync<HubException>(() =>
            alice.Connection.SendMessageWithAsync("general", "re", NewId(), new SendExtras { ReplyTo = elsewhere.Seq + 10 }, Ct));
        Assert.Equal(ChatErrorCodes.NotFound, ChatErrors.Parse(otherRoom.Message)!.Code);
        var deleted = await Assert.ThrowsAsync<HubException>(() =>
            alice.Connection.SendMessageWithAsync("general", "re", NewId(), new SendExtras { ReplyTo = here.Seq }, Ct));
        Assert.Equal(ChatErrorCodes.Invalid, ChatErrors.Parse(deleted.Message)!.Code);
        // The delete entry has a seq in general, but it is not a message.
        var notAMessage = await Assert.ThrowsAsync<HubException>(() =>
            alice.Connection.SendMessageWithAsync("general", "re", NewId(), new SendExtras { ReplyTo = lastSeq }, Ct));
        Assert.Equal(ChatErrorCodes.NotFound, ChatErrors.Parse(notAMessage.Message)!.Code);

        Assert.Equal(lastSeq, (await alice.Connection.ListRoomsAsync(Ct)).Single(r => r.Name == "general").LastSeq);
    }

    [Fact]
    public async Task AReplyPostedOverRestIsStoredWithItsReference()
    {
        await using var alice = await _server.UserAsync("alice", "general");
        var original = await alice.Connection.SendMessageAsync("general", "ping", NewId(), Ct);
        using var http = _server.CreateHttpClient(alice.Token);

        var created = await http.PostAsJsonAsync("/api/rooms/general/messages", new PostMessageRequest("pong", NewId()) { ReplyTo = original.Seq }, Ct);

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var stored = (await created.Content.ReadFromJsonAsync<ChatMessage>(Ct))!;
        Assert.Equal(original.Seq, stored.ReplyTo);
        Assert.Equal(original.Seq, (await alice.Connection.GetHistoryAsync("general", null, null, Ct)).Messages[^1].ReplyTo);
    }

    [Fact]
    public async Task OnlyTheOwnerSetsATopicWhichEveryoneSeesInTheDirectoryWithTheMemberCount()
    {
        await using var owner = await _server.UserAsync("olivia");
        await using var guest = await _server.UserAsync("gus");
        await owner.Connection.CreateRoomAsync("book-club", false, Ct);
        await guest.Events.WaitUntilAsync(r => r.Snapshot().Any(e => e.Name == nameof(EventRecorder.RoomChanged) && (string)e.Args[0] == "book-club"), "the new room announced");

        var set = await owner.Connection.SetRoomTopicAsync("book-club", "  Dune, chapters 1-3  ", Ct);
        Assert.Equal("Dune, chapters 1-3", set.Topic);
        await guest.Events.WaitForEventsAsync(nameof(EventRecorder.RoomChanged), 2);
        var seen = (await guest.Connection.ListRoomsAsync(Ct)).Single(r => r.Name == "book-club");
        Assert.Equal("Dune, chapters 1-3", seen.Topic);
        Assert.Equal(1, seen.MemberCount);
        Assert.False(seen.IsMember);

        await guest.Connection.JoinRoomAsync("book-club", Ct);
        Assert.Equal(2, (await guest.Connection.ListRoomsAsync(Ct)).Single(r => r.Name == "book-club").MemberCount);

        var refused = await Assert.ThrowsAsync<HubException>(() => guest.Connection.SetRoomTopicAsync("book-club", "mine now", Ct));
        Assert.Equal(ChatErrorCodes.Forbidden, ChatErrors.Parse(refused.Message)!.Code);
        var tooLong = await Assert.ThrowsAsync<HubException>(() => owner.Connection.SetRoomTopicAsync("book-club", new string('x', 201), Ct));
        Assert.Equal(ChatErrorCodes.Invalid, ChatErrors.Parse(tooLong.Message)!.Code);
        await Assert.ThrowsAsync<HubException>(() => owner.Connection.SetRoomTopicAsync("book-club", "two\nlines", Ct));

        Assert.Null((await owner.Connection.SetRoomTopicAsync("book-club", "", Ct)).Topic);
    }

    [Fact]
    public async Task APrivateRoomIsNotAnnouncedToOutsidersAndItsTopicReachesOnlyItsMembers()
    {
        await using var owner = await _server.UserAsync("olivia");
        await using var outsider = await _server.UserAsync("otto");
        await owner.Connection.CreateRoomAsync("hush", true, Ct);
        await owner.Connection.SetRoomTopicAsync("hush", "secret plans", Ct);
        await owner.Events.WaitUntilAsync(r => r.Snapshot().Any(e => e.Name == nameof(EventRecorder.RoomChanged)), "the topic change");
        // A public room created afterwards reaches the outsider; by then anything about 'hush' would have too.
        await owner.Connection.CreateRoomAsync("lobby", false, Ct);
        await outsider.Events.WaitUntilAsync(r => r.Snapshot().Any(e => e.Name == nameof(EventRecorder.RoomChanged) && (string)e.Args[0] == "lobby"), "the public room");

        Assert.DoesNotContain(outsider.Events.Snapshot(), e => e.Args.Contains("hush"));
        Assert.DoesNotContain(await outsider.Connection.ListRoomsAsync(Ct), r => r.Name == "hush");
    }
}
