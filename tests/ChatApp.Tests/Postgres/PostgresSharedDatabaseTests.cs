using System.Net;
using System.Security.Cryptography;
using ChatApp.Contracts;

namespace ChatApp.Tests;

/// <summary>
/// Two servers on one PostgreSQL database, as cluster nodes are: nothing of SQLite's one-process lock applies,
/// and what the database promises (idempotency, unique names whatever their case, one log per room) holds
/// whichever server a call lands on. Live delivery across servers is cluster mode's, not tested here.
/// </summary>
public sealed class PostgresSharedDatabaseTests(PostgresServer postgres)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ARetryOnTheOtherServerReturnsTheOriginalAndBothServersAppendToOneGapFreeLog()
    {
        var settings = await postgres.NewDatabaseAsync(Ct);
        settings["Auth:SigningKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)); // tokens from one work on the other
        await using var first = new ChatServer(settings);
        await using var second = new ChatServer(settings);

        await using var alice = await first.UserAsync("alice", "general");
        await using var elsewhere = await second.ConnectAsync(alice.Token);
        var id = Guid.NewGuid().ToString("N");
        var original = await alice.Connection.SendMessageAsync("general", "once", id, Ct);
        var retry = await elsewhere.SendMessageAsync("general", "once", id, Ct);
        var next = await elsewhere.SendMessageAsync("general", "twice", Guid.NewGuid().ToString("N"), Ct);
        var third = await alice.Connection.SendMessageAsync("general", "thrice", Guid.NewGuid().ToString("N"), Ct);

        Assert.Equal((original.Id, original.Seq, original.SentAt), (retry.Id, retry.Seq, retry.SentAt));
        Assert.Equal([original.Seq, original.Seq + 1, original.Seq + 2], new[] { original.Seq, next.Seq, third.Seq });
        var history = await elsewhere.GetHistoryAsync("general", null, null, Ct);
        Assert.Equal(["once", "twice", "thrice"], history.Messages.Select(m => m.Text));

        using var taken = await second.PostJsonAsync(ChatPaths.Register, new RegisterRequest("ALICE", ChatServer.Password));
        Assert.Equal(HttpStatusCode.Conflict, taken.StatusCode);
    }
}
