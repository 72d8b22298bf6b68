using System.Net;
using ChatApp.Client;
using ChatApp.Contracts;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace ChatApp.Tests;

/// <summary>Admins (from configuration, or granted by an admin) disable accounts, archive and delete rooms, remove messages; owners delete their rooms.</summary>
public class AdminTests : IAsyncLifetime
{
    private ChatServer _server = null!; // set by InitializeAsync, which xunit runs before each test

    /// <summary>Storage settings for the server: none is SQLite in a temp folder; PostgresAdminTests runs these tests on PostgreSQL.</summary>
    protected virtual Task<Dictionary<string, string>> StorageAsync() => Task.FromResult(new Dictionary<string, string>());

    public async ValueTask InitializeAsync() =>
        _server = new(new Dictionary<string, string>(await StorageAsync())
        {
            ["Auth:Admins:0"] = "root",
            ["Auth:SessionCheckSeconds"] = "0.5",
        });

    public ValueTask DisposeAsync() => _server?.DisposeAsync() ?? ValueTask.CompletedTask;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string NewId() => Guid.NewGuid().ToString("N");

    private async Task<ChatAdmin> AdminAsync(string userName = "root")
    {
        var login = await _server.LoginAsync(userName);
        return new ChatAdmin(_server.CreateHttpClient(), _ => Task.FromResult(login.AccessToken));
    }

    [Fact]
    public async Task AConfiguredAdminsTokenSaysAdminAndOthersDoNot()
    {
        Assert.True((await _server.LoginAsync("root")).IsAdmin);
        Assert.False((await _server.LoginAsync("alice")).IsAdmin);
    }

    [Fact]
    public async Task DisablingAnAccountClosesItsConnectionsAtOnceAndItCannotLogInConnectOrRefresh()
    {
        var login = await _server.LoginAsync("mallory");
        await using var connection = await _server.ConnectAsync(login.AccessToken, reconnectDelays: []);
        var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        connection.Hub.Closed += _ => Task.FromResult(closed.TrySetResult());
        var admin = await AdminAsync();

        await admin.DisableUserAsync("mallory", Ct);

        await closed.Task.WaitAsync(TimeSpan.FromSeconds(5), Ct);
        using var relogin = await _server.PostJsonAsync(ChatPaths.Login, new LoginRequest("mallory", ChatServer.Password));
        Assert.Equal(HttpStatusCode.Forbidden, relogin.StatusCode);
        using var refresh = await _server.PostJsonAsync(ChatPaths.Refresh, new RefreshRequest(login.RefreshToken));
        Assert.Equal(HttpStatusCode.Unauthorized, refresh.StatusCode);
        using var api = _server.CreateHttpClient(login.AccessToken);
        Assert.Equal(HttpStatusCode.Unauthorized, (await api.GetAsync(ChatPaths.Rooms, Ct)).StatusCode);

        await admin.EnableUserAsync("mallory", Ct);
        using var back = await _server.PostJsonAsync(ChatPaths.Login, new LoginRequest("mallory", ChatServer.Password));
        Assert.Equal(HttpStatusCode.OK, back.StatusCode);
    }

    [Fact]
    public async Task ATokenOfADisabledAccountCannotConnect()
    {
        var login = await _server.LoginAsync("trudy");
        await (await AdminAsync()).DisableUserAsync("trudy", Ct);

        await Assert.ThrowsAnyAsync<Exception>(() => _server.ConnectAsync(login.AccessToken, reconnectDelays: []));
    }

    [Fact]
    public async Task NonAdminsAreRefusedByTheAdminApi()
    {
        await _server.LoginAsync("victim");
        var notAdmin = await AdminAsync("alice");

        var refused = await Assert.ThrowsAsync<ChatApiException>(() => notAdmin.DisableUserAsync("victim", Ct));
        Assert.Equal(403, refused.StatusCode);
        Assert.Equal(403, (await Assert.ThrowsAsync<ChatApiException>(() => notAdmin.SetAdminAsync("alice", true, Ct))).StatusCode);
        Assert.Equal(403, (await Assert.ThrowsAsync<ChatApiException>(() => notAdmin.SetArchivedAsync("general", true, Ct))).StatusCode);
        Assert.Equal(403, (await Assert.ThrowsAsync<ChatApiException>(() => notAdmin.RemoveMessageAsync("general", 1, Ct))).StatusCode);
        Assert.Equal(403, (await Assert.ThrowsAsync<ChatApiException>(() => notAdmin.DeleteRoomAsync("general", Ct))).StatusCode);
        using var anonymous = await _server.PostJsonAsync($"{ChatPaths.Admin}/users/victim/disable", new { });
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
    }

    [Fact]
    public async Task AnAdminGrantsTheRoleWhichTakesEffectAtTheNextLogin()
    {
        await _server.LoginAsync("bob");
        await (await AdminAsync()).SetAdminAsync("bob", true, Ct);

        var bob = await AdminAsync("bob");
        await _server.LoginAsync("eve");
        await bob.DisableUserAsync("eve", Ct);
        using var eve = await _server.PostJsonAsync(ChatPaths.Login, new LoginRequest("eve", ChatServer.Password));
        Assert.Equal(HttpStatusCode.Forbidden, eve.StatusCode);
    }

    [Fact]
    public async Task AnArchivedRoomCanBeReadButTakesNoNewEntries()
    {
        await using var alice = await _server.UserAsync("alice", "general");
        var first = await alice.Connection.SendMessageAsync("general", "before the archive", NewId(), Ct);
        var admin = await AdminAsync();

        await admin.SetArchivedAsync("general", true, Ct);

        var send = await Assert.ThrowsAsync<HubException>(() => alice.Connection.SendMessageAsync("general", "after", NewId(), Ct));
        Assert.Contains("archived", send.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<HubException>(() => alice.Connection.EditMessageAsync("general", first.Seq, "edited", Ct));
        await Assert.ThrowsAsync<HubException>(() => alice.Connection.ReactAsync("general", first.Seq, "👍", Ct));
        var history = await alice.Connection.GetHistoryAsync("general", null, null, Ct);
        Assert.Equal("before the archive", Assert.Single(history.Messages).Text);
        Assert.True((await alice.Connection.ListRoomsAsync(Ct)).Single(r => r.Name == "general").IsArchived);

        await admin.SetArchivedAsync("general", false, Ct);
        await alice.Connection.SendMessageAsync("general", "open again", NewId(), Ct);
    }

    [Fact]
    public async Task ADeletedRoomIsGoneForEveryoneAndItsMembersAreToldTheyLeft()
    {
        await using var owner = await _server.UserAsync("olga");
        await owner.Connection.CreateRoomAsync("book-club", isPrivate: false, Ct);
        await using var member = await _server.UserAsync("mike", "book-club");
        await member.Connection.SendMessageAsync("book-club", "chapter one", NewId(), Ct);

        await owner.Connection.DeleteRoomAsync("book-club", Ct);

        await member.Events.WaitUntilAsync(e => e.Snapshot().Any(x => x.Name == nameof(IChatClient.RoomLeft) && (string)x.Args[0] == "book-club"), "RoomLeft");
        Assert.DoesNotContain(await member.Connection.ListRoomsAsync(Ct), r => r.Name == "book-club");
        await Assert.ThrowsAsync<HubException>(() => member.Connection.SendMessageAsync("book-club", "anyone?", NewId(), Ct));
        await Assert.ThrowsAsync<HubException>(() => member.Connection.GetHistoryAsync("book-club", null, null, Ct));
        await Assert.ThrowsAsync<HubException>(() => member.Connection.JoinRoomAsync("book-club", Ct));
        Assert.Empty((await member.Connection.SearchMessagesAsync("chapter", null, null, null, Ct)).Results);
    }

    [Fact]
    public async Task OnlyTheOwnerOrAnAdminDeletesARoomAndAPrivateRoomDoesNotLeakToOutsiders()
    {
        await using var owner = await _server.UserAsync("olga");
        await owner.Connection.CreateRoomAsync("open-room", isPrivate: false, Ct);
        await owner.Connection.CreateRoomAsync("secret-room", isPrivate: true, Ct);
        await using var other = await _server.UserAsync("oscar", "open-room");

        var notOwner = await Assert.ThrowsAsync<HubException>(() => other.Connection.DeleteRoomAsync("open-room", Ct));
        Assert.Contains("Only the owner", notOwner.Message, StringComparison.Ordinal);
        var outsider = await Assert.ThrowsAsync<HubException>(() => other.Connection.DeleteRoomAsync("secret-room", Ct));
        Assert.Contains("no room named", outsider.Message, StringComparison.Ordinal);

        await (await AdminAsync()).DeleteRoomAsync("open-room", Ct);
        Assert.DoesNotContain(await other.Connection.ListRoomsAsync(Ct), r => r.Name == "open-room");
    }

    [Fact]
    public async Task AnAdminRemovesAnyMessageWithADeleteEntryThatMembersReceive()
    {
        await using var alice = await _server.UserAsync("alice", "general");
        var message = await alice.Connection.SendMessageAsync("general", "something rude", NewId(), Ct);

        await (await AdminAsync()).RemoveMessageAsync("general", message.Seq, Ct); // root is not even a member

        await alice.Events.WaitUntilAsync(e => e.Entries(nameof(IChatClient.MessageDeleted)).Any(d => d.TargetSeq == message.Seq), "MessageDeleted");
        var history = await alice.Connection.GetHistoryAsync("general", null, null, Ct);
        Assert.True(Assert.Single(history.Messages).Deleted);
        var replay = await alice.Connection.StreamMessagesSinceAsync("general", 0, Ct).ToListAsync(Ct);
        Assert.Equal([EntryKinds.Message, EntryKinds.Delete], replay.Select(e => e.Kind));
    }
}
