using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using ChatApp.Contracts;
using Microsoft.Data.Sqlite;

namespace ChatApp.Tests;

/// <summary>Where the key that signs access tokens comes from, that servers given the same key accept each other's tokens, and that a session ended elsewhere ends here.</summary>
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
        var token = await first.TokenForAsync("alice");
        Assert.False(File.Exists(Path.Combine(first.Directory, "jwt-signing.key"))); // a configured key needs no file

        // One SQLite database takes one server process (it holds a lock), so the other servers get a copy that
        // knows the session: the token is all that differs between them.
        await using var second = new ChatServer(new Dictionary<string, string> { ["Auth:SigningKey"] = key, ["Storage:DatabasePath"] = await SnapshotAsync(first, "second") });
        await using var stranger = new ChatServer(new Dictionary<string, string>
        {
            ["Auth:SigningKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(48)),
            ["Storage:DatabasePath"] = await SnapshotAsync(first, "stranger"),
        });

        using var onSecond = second.CreateHttpClient(token);
        Assert.Equal(HttpStatusCode.OK, (await onSecond.GetAsync(ChatPaths.Rooms, Ct)).StatusCode);
        await using var connection = await second.ConnectAsync(token);
        await connection.ListRoomsAsync(Ct);
        using var onStranger = stranger.CreateHttpClient(token);
        Assert.Equal(HttpStatusCode.Unauthorized, (await onStranger.GetAsync(ChatPaths.Rooms, Ct)).StatusCode);
    }

    [Fact]
    public async Task ASessionRevokedInTheDatabaseByAnotherNodeLosesItsConnectionsHereWithinTheCheckInterval()
    {
        await using var server = new ChatServer(new Dictionary<string, string> { ["Auth:SessionCheckSeconds"] = "1" });
        var login = await server.LoginAsync("alice");
        await using var connection = await server.ConnectAsync(login.AccessToken, reconnectDelays: []);
        var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        connection.Hub.Closed += _ => Task.FromResult(closed.TrySetResult());

        // What another node's logout leaves behind: the revoked row, and nothing said to this node.
        var started = TimeProvider.System.GetTimestamp();
        await using (var db = new SqliteConnection($"Data Source={server.DatabasePath};Pooling=False"))
        {
            await db.OpenAsync(Ct);
            await using var revoke = db.CreateCommand();
            revoke.CommandText = "UPDATE Sessions SET RevokedAt = $now WHERE RevokedAt IS NULL";
            revoke.Parameters.AddWithValue("$now", DateTimeOffset.UtcNow.ToString("yyyy-MM-dd HH:mm:ss.FFFFFFFzzz", CultureInfo.InvariantCulture));
            Assert.Equal(1, await revoke.ExecuteNonQueryAsync(Ct));
        }

        await closed.Task.WaitAsync(TimeSpan.FromSeconds(5), Ct);
        var elapsed = TimeProvider.System.GetElapsedTime(started);
        TestContext.Current.TestOutputHelper?.WriteLine($"closed after {elapsed.TotalMilliseconds:F0} ms");
        Assert.True(elapsed < TimeSpan.FromSeconds(3));
    }

    /// <summary>A consistent copy of the server's database (VACUUM INTO reads it like any reader), in a folder of its own.</summary>
    private static async Task<string> SnapshotAsync(ChatServer server, string name)
    {
        var path = Path.Combine(server.Directory, name, "chat.db");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await using var db = new SqliteConnection($"Data Source={server.DatabasePath};Pooling=False");
        await db.OpenAsync(Ct);
        await using var copy = db.CreateCommand();
        copy.CommandText = "VACUUM INTO $path";
        copy.Parameters.AddWithValue("$path", path);
        await copy.ExecuteNonQueryAsync(Ct);
        return path;
    }
}
