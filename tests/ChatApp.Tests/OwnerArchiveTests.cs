using ChatApp.Contracts;
using Microsoft.AspNetCore.SignalR;

namespace ChatApp.Tests;

/// <summary>Room owners archive their rooms (and open them again) over the hub, as admins do over REST.</summary>
public sealed class OwnerArchiveTests : IAsyncLifetime
{
    private readonly ChatServer _server = new(new Dictionary<string, string> { ["Auth:Admins:0"] = "root" });

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string NewId() => Guid.NewGuid().ToString("N");

    private static bool IsRoomChanged((string Name, object[] Args) e, string room) =>
        e.Name == nameof(IChatClient.RoomChanged) && (string)e.Args[0] == room;

    [Fact]
    public async Task AnOwnerArchivesTheirRoomSoSendsAreRefusedHistoryStillReadsAndMembersAreTold()
    {
        await using var owner = await _server.UserAsync("olga");
        await using var member = await _server.UserAsync("mike");
        await owner.Connection.CreateRoomAsync("book-club", isPrivate: true, Ct);
        await owner.Connection.InviteToRoomAsync("book-club", "mike", Ct);
        await member.Connection.SendMessageAsync("book-club", "chapter one", NewId(), Ct);

        await owner.Connection.ArchiveRoomAsync("book-club", archived: true, Ct);

        await member.Events.WaitUntilAsync(e => e.Snapshot().Any(x => IsRoomChanged(x, "book-club")), "RoomChanged");
        Assert.True((await member.Connection.ListRoomsAsync(Ct)).Single(r => r.Name == "book-club").IsArchived);
        var refused = await Assert.ThrowsAsync<HubException>(() => member.Connection.SendMessageAsync("book-club", "chapter two", NewId(), Ct));
        Assert.Contains("archived", refused.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<HubException>(() => owner.Connection.SendMessageAsync("book-club", "not even me", NewId(), Ct));
        var history = await member.Connection.GetHistoryAsync("book-club", null, null, Ct);
        Assert.Equal("chapter one", Assert.Single(history.Messages).Text);
    }

    [Fact]
    public async Task AnOwnerUnarchivesTheirRoomAndItTakesMessagesAgain()
    {
        await using var owner = await _server.UserAsync("olga");
        await owner.Connection.CreateRoomAsync("book-club", isPrivate: false, Ct);
        await owner.Connection.ArchiveRoomAsync("book-club", archived: true, Ct);
        await Assert.ThrowsAsync<HubException>(() => owner.Connection.SendMessageAsync("book-club", "closed", NewId(), Ct));

        await owner.Connection.ArchiveRoomAsync("book-club", archived: false, Ct);

        Assert.False((await owner.Connection.ListRoomsAsync(Ct)).Single(r => r.Name == "book-club").IsArchived);
        var sent = await owner.Connection.SendMessageAsync("book-club", "open again", NewId(), Ct);
        Assert.Equal("open again", sent.Text);
    }

    [Fact]
    public async Task ANonOwnerIsRefusedAsDeleteRoomRefusesThemAndAnOutsiderDoesNotLearnOfAPrivateRoom()
    {
        await using var owner = await _server.UserAsync("olga");
        await owner.Connection.CreateRoomAsync("open-room", isPrivate: false, Ct);
        await owner.Connection.CreateRoomAsync("secret-room", isPrivate: true, Ct);
        await using var other = await _server.UserAsync("oscar", "open-room");

        var notOwner = await Assert.ThrowsAsync<HubException>(() => other.Connection.ArchiveRoomAsync("open-room", archived: true, Ct));
        Assert.Contains("Only the owner", notOwner.Message, StringComparison.Ordinal);
        var outsider = await Assert.ThrowsAsync<HubException>(() => other.Connection.ArchiveRoomAsync("secret-room", archived: true, Ct));
        Assert.Contains("no room named", outsider.Message, StringComparison.Ordinal);
        Assert.False((await owner.Connection.ListRoomsAsync(Ct)).Single(r => r.Name == "open-room").IsArchived);
        await other.Connection.SendMessageAsync("open-room", "still open", NewId(), Ct);

        // An admin is not the owner, and may all the same.
        await using var admin = await _server.UserAsync("root");
        await admin.Connection.ArchiveRoomAsync("open-room", archived: true, Ct);
        Assert.True((await other.Connection.ListRoomsAsync(Ct)).Single(r => r.Name == "open-room").IsArchived);
    }

    [Fact]
    public async Task ADirectConversationCannotBeArchived()
    {
        await using var olga = await _server.UserAsync("olga");
        await using var mike = await _server.UserAsync("mike");
        var direct = await olga.Connection.OpenDirectAsync("mike", Ct);

        var refused = await Assert.ThrowsAsync<HubException>(() => olga.Connection.ArchiveRoomAsync(direct.Name, archived: true, Ct));

        Assert.Contains("direct conversation", refused.Message, StringComparison.Ordinal);
        await olga.Connection.SendMessageAsync(direct.Name, "still talking", NewId(), Ct);
    }
}
