using System.Net;
using System.Net.Http.Json;
using ChatApp.Client;
using ChatApp.Contracts;
using Microsoft.AspNetCore.SignalR.Client;

namespace ChatApp.Tests;

/// <summary>Sessions end: access tokens expire, refresh tokens rotate and betray reuse, logout ends connections.</summary>
public sealed class SessionTests : IAsyncLifetime
{
    private readonly ChatServer _server = new(new Dictionary<string, string> { ["Auth:SessionCheckSeconds"] = "0.5" });

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string NewId() => Guid.NewGuid().ToString("N");

    [Fact]
    public async Task LoginGivesAShortLivedJwtAndARefreshTokenThatRotatesOnUse()
    {
        var login = await _server.LoginAsync("alice");
        Assert.Equal(3, login.AccessToken.Split('.').Length); // header.payload.signature
        Assert.Equal(15 * 60, login.ExpiresIn);
        Assert.False(string.IsNullOrEmpty(login.RefreshToken));

        using var http = _server.CreateHttpClient();
        var refreshed = await new ChatAccounts(http).RefreshAsync(login.RefreshToken!, Ct);
        Assert.NotEqual(login.RefreshToken, refreshed.RefreshToken);
        Assert.Equal("alice", refreshed.UserName);

        using var api = _server.CreateHttpClient(refreshed.AccessToken);
        using var rooms = await api.GetAsync(ChatPaths.Rooms, Ct);
        Assert.Equal(HttpStatusCode.OK, rooms.StatusCode);
        var again = await new ChatAccounts(http).RefreshAsync(refreshed.RefreshToken!, Ct);
        Assert.NotEqual(refreshed.RefreshToken, again.RefreshToken);
    }

    [Fact]
    public async Task ReusingASpentRefreshTokenEndsTheWholeSession()
    {
        var login = await _server.LoginAsync("bob");
        using var http = _server.CreateHttpClient();
        var accounts = new ChatAccounts(http);
        var thief = await accounts.RefreshAsync(login.RefreshToken!, Ct);
        await using var connection = await _server.ConnectAsync(thief.AccessToken, reconnectDelays: []);
        var closed = Closed(connection);

        var reuse = await Assert.ThrowsAsync<ChatApiException>(() => accounts.RefreshAsync(login.RefreshToken!, Ct));
        Assert.Equal(401, reuse.StatusCode);
        Assert.Contains("already used", reuse.Message, StringComparison.Ordinal);

        // The newer token dies with its session, and so does the connection opened with its access token.
        var after = await Assert.ThrowsAsync<ChatApiException>(() => accounts.RefreshAsync(thief.RefreshToken!, Ct));
        Assert.Equal(401, after.StatusCode);
        await closed.WaitAsync(ChatServer.Timeout, Ct);
        using var api = _server.CreateHttpClient(thief.AccessToken);
        Assert.Equal(HttpStatusCode.Unauthorized, (await api.GetAsync(ChatPaths.Rooms, Ct)).StatusCode);
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("no-such-session.c2VjcmV0")]
    [InlineData("")]
    public async Task RefreshWithGarbageIs401(string token)
    {
        using var response = await _server.PostJsonAsync(ChatPaths.Refresh, new RefreshRequest(token));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task LogoutEndsOpenConnectionsWithinSecondsAndTheRefreshTokenNoLongerWorks()
    {
        var login = await _server.LoginAsync("carol");
        await using var first = await _server.ConnectAsync(login.AccessToken, reconnectDelays: []);
        await using var second = await _server.ConnectAsync(login.AccessToken, reconnectDelays: []);
        var closedFirst = Closed(first);
        var closedSecond = Closed(second);
        var other = await _server.LoginAsync("carol"); // another device: its own session, untouched
        await using var otherConnection = await _server.ConnectAsync(other.AccessToken, reconnectDelays: []);

        using var http = _server.CreateHttpClient();
        var started = TimeProvider.System.GetTimestamp();
        await new ChatAccounts(http).LogoutAsync(login.RefreshToken!, Ct);
        await Task.WhenAll(closedFirst, closedSecond).WaitAsync(TimeSpan.FromSeconds(5), Ct);
        var elapsed = TimeProvider.System.GetElapsedTime(started);
        TestContext.Current.TestOutputHelper?.WriteLine($"both connections closed {elapsed.TotalMilliseconds:F0} ms after the logout request");
        Assert.True(elapsed < TimeSpan.FromSeconds(5));

        var refused = await Assert.ThrowsAsync<ChatApiException>(() => new ChatAccounts(http).RefreshAsync(login.RefreshToken!, Ct));
        Assert.Equal(401, refused.StatusCode);
        await Assert.ThrowsAnyAsync<Exception>(() => _server.ConnectAsync(login.AccessToken, reconnectDelays: []));
        Assert.Equal(HubConnectionState.Connected, otherConnection.State);
        await otherConnection.ListRoomsAsync(Ct);
    }

    [Fact]
    public async Task LogoutWithTheAccessTokenAloneEndsThatSession()
    {
        var login = await _server.LoginAsync("dan");
        using var response = await _server.PostJsonAsync(ChatPaths.Logout, new RefreshRequest(null), login.AccessToken);
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        using var refresh = await _server.PostJsonAsync(ChatPaths.Refresh, new RefreshRequest(login.RefreshToken));
        Assert.Equal(HttpStatusCode.Unauthorized, refresh.StatusCode);
    }

    [Fact]
    public async Task AnExpiredAccessTokenClosesTheConnectionAndTheClientReconnectsRefreshedAndCatchesUp()
    {
        await using var server = new ChatServer(new Dictionary<string, string>
        {
            ["Auth:AccessTokenMinutes"] = "0.05", // 3 seconds
            ["Auth:ClockSkewSeconds"] = "0",
        });
        using var http = server.CreateHttpClient();
        var accounts = new ChatAccounts(http);
        // Alice posts over REST with tokens of her own, which expire just as fast.
        using var alice = new ChatTokens(accounts, await server.LoginAsync("alice"));
        await using (var joining = await server.ConnectAsync(alice.AccessToken))
        {
            await joining.JoinRoomAsync("general", Ct);
        }

        async Task PostAsync(string text)
        {
            using var posted = await server.PostJsonAsync($"{ChatPaths.Rooms}/general/messages", new PostMessageRequest(text, NewId()), await alice.GetAccessTokenAsync(Ct));
            Assert.Equal(HttpStatusCode.Created, posted.StatusCode);
        }

        using var tokens = new ChatTokens(accounts, await server.LoginAsync("bob"));
        var refreshes = 0;
        tokens.Refreshed = (_, _) =>
        {
            Interlocked.Increment(ref refreshes);
            return Task.CompletedTask;
        };
        await using var bob = server.CreateConnection(tokens.Provider, [TimeSpan.Zero, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1)]);
        var firstExpiry = tokens.ExpiresAt;
        var reconnecting = new TaskCompletionSource<DateTimeOffset>(TaskCreationOptions.RunContinuationsAsynchronously);
        var reconnected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        bob.Hub.Reconnecting += _ => Task.FromResult(reconnecting.TrySetResult(DateTimeOffset.UtcNow));
        bob.Hub.Reconnected += _ => Task.FromResult(reconnected.TrySetResult());
        await bob.StartAsync(Ct).WaitAsync(ChatServer.Timeout, Ct);
        await bob.JoinRoomAsync("general", Ct);
        var applied = new List<long>();
        await using var follower = new RoomFollower(bob, (entry, _) =>
        {
            lock (applied)
            {
                applied.Add(entry.Seq);
            }

            return Task.CompletedTask;
        });
        await PostAsync("before expiry");
        await follower.FollowAsync("general", 0, Ct);

        // The server closes bob's connection when his token runs out; what alice sends meanwhile must reach him by catch-up.
        var dropped = await reconnecting.Task.WaitAsync(ChatServer.Timeout, Ct);
        TestContext.Current.TestOutputHelper?.WriteLine($"closed {(dropped - firstExpiry).TotalMilliseconds:F0} ms after the token's expiry");
        Assert.True(dropped >= firstExpiry - TimeSpan.FromSeconds(1)); // not before (give or take the login round trip)
        for (var i = 0; i < 3; i++)
        {
            await PostAsync($"while bob reconnects {i}");
        }

        await reconnected.Task.WaitAsync(ChatServer.Timeout, Ct);
        Assert.True(refreshes >= 1);
        await PostAsync("after");
        await WaitUntilAsync(() => { lock (applied) { return applied.Count >= 5; } });
        lock (applied)
        {
            Assert.Equal([1L, 2, 3, 4, 5], applied);
        }
    }

    [Fact]
    public async Task ABrowsersRefreshCookieComesOnlyAsAnHttpOnlyStrictCookieAndASecondTabMayResendItForAMoment()
    {
        using var http = _server.TestServer.CreateClient(); // no cookie jar: the test carries the cookie by hand
        await _server.LoginAsync("tab-user");
        using var login = await http.PostAsJsonAsync(ChatPaths.Login, new LoginRequest("tab-user", ChatServer.Password, RefreshTokenInCookie: true), Ct);
        var body = await login.Content.ReadFromJsonAsync<LoginResponse>(Ct);
        Assert.Null(body!.RefreshToken);
        var setCookie = Assert.Single(login.Headers.GetValues("Set-Cookie"));
        Assert.Contains("httponly", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("path=/api/auth", setCookie, StringComparison.OrdinalIgnoreCase);
        var cookie = setCookie.Split(';')[0];

        // Two tabs refresh with the same cookie at once: the first rotates it, the second still gets an access token.
        using var first = await RefreshWithCookieAsync(http, cookie);
        using var second = await RefreshWithCookieAsync(http, cookie);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.False(second.Headers.Contains("Set-Cookie")); // the jar already has the first answer's cookie
        var rotated = Assert.Single(first.Headers.GetValues("Set-Cookie")).Split(';')[0];
        using var next = await RefreshWithCookieAsync(http, rotated);
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);

        // Two rotations later the first cookie is no longer the one just replaced: a reuse, which ends the session.
        using var stale = await RefreshWithCookieAsync(http, cookie);
        Assert.Equal(HttpStatusCode.Unauthorized, stale.StatusCode);
        var latest = Assert.Single(next.Headers.GetValues("Set-Cookie")).Split(';')[0];
        using var ended = await RefreshWithCookieAsync(http, latest);
        Assert.Equal(HttpStatusCode.Unauthorized, ended.StatusCode);
    }

    private static async Task<HttpResponseMessage> RefreshWithCookieAsync(HttpClient http, string cookie)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, ChatPaths.Refresh) { Content = JsonContent.Create(new { }) };
        request.Headers.Add("Cookie", cookie);
        return await http.SendAsync(request, Ct);
    }

    private static Task Closed(ChatConnection connection)
    {
        var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        connection.Hub.Closed += _ => Task.FromResult(closed.TrySetResult());
        connection.Hub.Reconnecting += _ => Task.FromResult(closed.TrySetResult());
        return closed.Task;
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + ChatServer.Timeout;
        using var tick = new PeriodicTimer(TimeSpan.FromMilliseconds(50));
        while (!condition() && DateTime.UtcNow < deadline)
        {
            await tick.WaitForNextTickAsync(Ct);
        }
    }
}
