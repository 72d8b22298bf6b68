using System.Net;
using System.Security.Cryptography;
using ChatApp.Contracts;

namespace ChatApp.Tests;

/// <summary>Where the key that signs access tokens comes from, and that servers given the same key accept each other's tokens.</summary>
public sealed class SigningKeyTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task TheKeyFileIsCreatedOnFirstStartReadableOnlyByItsOwnerAndKeptAcrossARestart()
    {
        await using var server = new ChatServer();
        var path = Path.Combine(server.Directory, "jwt-signing.key");
        Assert.True(File.Exists(path));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }

        var token = await server.TokenForAsync("alice");
        var key = await File.ReadAllTextAsync(path, Ct);
        await server.RestartAsync();

        Assert.Equal(key, await File.ReadAllTextAsync(path, Ct));
        using var api = server.CreateHttpClient(token);
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync(ChatPaths.Rooms, Ct)).StatusCode);
    }

    [Fact]
    public async Task ServersGivenTheSameKeyAcceptEachOthersTokensAndADifferentKeyDoesNot()
    {
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(48));
        await using var first = new ChatServer(new Dictionary<string, string> { ["Auth:SigningKey"] = key });
        // A second process on the same database, as two nodes would be.
        await using var second = new ChatServer(new Dictionary<string, string> { ["Auth:SigningKey"] = key, ["Storage:DatabasePath"] = first.DatabasePath });
        await using var stranger = new ChatServer(new Dictionary<string, string>
        {
            ["Auth:SigningKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(48)),
            ["Storage:DatabasePath"] = first.DatabasePath,
        });

        var token = await first.TokenForAsync("alice");

        Assert.False(File.Exists(Path.Combine(first.Directory, "jwt-signing.key"))); // a configured key needs no file
        using var onSecond = second.CreateHttpClient(token);
        Assert.Equal(HttpStatusCode.OK, (await onSecond.GetAsync(ChatPaths.Rooms, Ct)).StatusCode);
        await using var connection = await second.ConnectAsync(token);
        await connection.ListRoomsAsync(Ct);
        using var onStranger = stranger.CreateHttpClient(token);
        Assert.Equal(HttpStatusCode.Unauthorized, (await onStranger.GetAsync(ChatPaths.Rooms, Ct)).StatusCode);
    }

    [Fact]
    public async Task ASessionEndedOnOneNodeLosesItsConnectionsOnAnotherWithinTheCheckInterval()
    {
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(48));
        await using var first = new ChatServer(new Dictionary<string, string> { ["Auth:SigningKey"] = key });
        await using var second = new ChatServer(new Dictionary<string, string>
        {
            ["Auth:SigningKey"] = key,
            ["Storage:DatabasePath"] = first.DatabasePath,
            ["Auth:SessionCheckSeconds"] = "1",
        });
        var login = await first.LoginAsync("alice");
        await using var onSecond = await second.ConnectAsync(login.AccessToken, reconnectDelays: []);
        var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        onSecond.Hub.Closed += _ => Task.FromResult(closed.TrySetResult());

        // The first node revokes the session; only the database tells the second.
        var started = TimeProvider.System.GetTimestamp();
        using var logout = await first.PostJsonAsync(ChatPaths.Logout, new RefreshRequest(login.RefreshToken));
        Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);

        await closed.Task.WaitAsync(TimeSpan.FromSeconds(5), Ct);
        var elapsed = TimeProvider.System.GetElapsedTime(started);
        TestContext.Current.TestOutputHelper?.WriteLine($"closed on the other node after {elapsed.TotalMilliseconds:F0} ms");
        Assert.True(elapsed < TimeSpan.FromSeconds(3));
    }
}
