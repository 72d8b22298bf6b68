using System.Net;
using System.Net.Http.Json;
using ChatApp.Contracts;
using Microsoft.AspNetCore.Mvc;

namespace ChatApp.Tests;

public class AuthTests : IAsyncLifetime
{
    private ChatServer _server = null!; // set by InitializeAsync, which xunit runs before each test

    /// <summary>Storage settings for the server: none is SQLite in a temp folder; PostgresAuthTests runs these tests on PostgreSQL.</summary>
    protected virtual Task<Dictionary<string, string>> StorageAsync() => Task.FromResult(new Dictionary<string, string>());

    public async ValueTask InitializeAsync() =>
        _server = new(await StorageAsync());

    public ValueTask DisposeAsync() => _server?.DisposeAsync() ?? ValueTask.CompletedTask;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task RegisterThenLoginReturnsATokenThatOpensTheApi()
    {
        using var register = await _server.PostJsonAsync(ChatPaths.Register, new RegisterRequest("alice", ChatServer.Password));
        Assert.Equal(HttpStatusCode.Created, register.StatusCode);

        using var login = await _server.PostJsonAsync(ChatPaths.Login, new LoginRequest("alice", ChatServer.Password));
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        var token = await login.Content.ReadFromJsonAsync<LoginResponse>(Ct);
        Assert.False(string.IsNullOrEmpty(token!.AccessToken));
        Assert.True(token.ExpiresIn > 0);

        using var http = _server.CreateHttpClient(token.AccessToken);
        using var rooms = await http.GetAsync(ChatPaths.Rooms, Ct);
        Assert.Equal(HttpStatusCode.OK, rooms.StatusCode);
        Assert.Contains(await rooms.Content.ReadFromJsonAsync<RoomInfo[]>(Ct) ?? [], r => r.Name == "general");
    }

    [Theory]
    [InlineData("al", "correct-horse-1", "user name")]
    [InlineData("bad name!", "correct-horse-1", "user name")]
    [InlineData("carol", "short1", "at least 8")]
    [InlineData("carol", "onlyletters", "digit")]
    [InlineData("carol", "xxcarol123", "user name")]
    public async Task BadNameOrWeakPasswordIsRejectedWithTheReason(string userName, string password, string reason)
    {
        using var response = await _server.PostJsonAsync(ChatPaths.Register, new RegisterRequest(userName, password));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<ProblemDetails>(Ct);
        Assert.Contains(reason, problem!.Title, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task ATakenNameIsAConflictWhateverItsCase()
    {
        using var first = await _server.PostJsonAsync(ChatPaths.Register, new RegisterRequest("dave", ChatServer.Password));
        using var second = await _server.PostJsonAsync(ChatPaths.Register, new RegisterRequest("DAVE", ChatServer.Password));
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
    }

    [Fact]
    public async Task WrongCredentialsAre401WithoutSayingWhichPartWasWrong()
    {
        await _server.TokenForAsync("erin");
        using var wrongPassword = await _server.PostJsonAsync(ChatPaths.Login, new LoginRequest("erin", "not-the-password-1"));
        using var unknownUser = await _server.PostJsonAsync(ChatPaths.Login, new LoginRequest("nobody-here", ChatServer.Password));

        Assert.Equal(HttpStatusCode.Unauthorized, wrongPassword.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, unknownUser.StatusCode);
        var a = await wrongPassword.Content.ReadFromJsonAsync<ProblemDetails>(Ct);
        var b = await unknownUser.Content.ReadFromJsonAsync<ProblemDetails>(Ct);
        Assert.Equal(a!.Title, b!.Title);
    }

    [Fact]
    public async Task RepeatedWrongPasswordsLockTheNameForAWhile()
    {
        await using var server = new ChatServer(new Dictionary<string, string> { ["Auth:MaxFailedLogins"] = "3" });
        await server.TokenForAsync("frank");
        for (var i = 0; i < 3; i++)
        {
            using var wrong = await server.PostJsonAsync(ChatPaths.Login, new LoginRequest("frank", $"guess-number-{i}"));
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        }

        // Locked now: even the right password is not checked until the window has passed.
        using var locked = await server.PostJsonAsync(ChatPaths.Login, new LoginRequest("FRANK", ChatServer.Password));
        Assert.Equal(HttpStatusCode.TooManyRequests, locked.StatusCode);
        var problem = (await locked.Content.ReadFromJsonAsync<ProblemDetails>(Ct))!;
        Assert.Contains("try again in", problem.Title, StringComparison.Ordinal);
        Assert.Equal(ChatErrorCodes.RateLimited, problem.Extensions["code"]?.ToString());
        Assert.InRange(locked.Headers.RetryAfter?.Delta ?? TimeSpan.Zero, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(300));

        // Other names are not affected.
        await server.TokenForAsync("grace");
    }

    [Fact]
    public async Task TheApiAndTheHubRefuseRequestsWithoutAValidToken()
    {
        using var anonymous = _server.CreateHttpClient();
        using var rooms = await anonymous.GetAsync(ChatPaths.Rooms, Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, rooms.StatusCode);

        using var forged = _server.CreateHttpClient("not-a-token");
        using var forgedRooms = await forged.GetAsync(ChatPaths.Rooms, Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, forgedRooms.StatusCode);

        await using var noToken = _server.CreateConnection("");
        await Assert.ThrowsAnyAsync<Exception>(() => noToken.StartAsync(Ct).WaitAsync(ChatServer.Timeout, Ct));
        await using var badToken = _server.CreateConnection("garbage");
        await Assert.ThrowsAnyAsync<Exception>(() => badToken.StartAsync(Ct).WaitAsync(ChatServer.Timeout, Ct));
    }
}
