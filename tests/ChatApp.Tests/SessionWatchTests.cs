using ChatApp.Client;
using ChatApp.Contracts;
using ChatApp.Server.Auth;
using ChatApp.Server.Data;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace ChatApp.Tests;

/// <summary>
/// The session watch reads only the session ends stored since its last checks. Revocations here go straight through
/// the writer, as another node's would: a logout on this node closes this node's connections at once, without the watch.
/// </summary>
public sealed class SessionWatchTests : IAsyncLifetime
{
    private readonly ChatServer _server = new(new Dictionary<string, string> { ["Auth:SessionCheckSeconds"] = "0.5" });

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly TimeSpan WithinChecks = TimeSpan.FromSeconds(5);

    private DatabaseWriter Writer => _server.Services.GetRequiredService<DatabaseWriter>();

    [Fact]
    public async Task ASessionRevokedElsewhereBetweenTwoChecksClosesItsConnectionsHereAndNoOtherSessions()
    {
        var login = await _server.LoginAsync("erin");
        await using var connection = await _server.ConnectAsync(login.AccessToken, reconnectDelays: []);
        var closed = Closed(connection);
        var other = await _server.LoginAsync("erin");
        await using var otherConnection = await _server.ConnectAsync(other.AccessToken, reconnectDelays: []);

        await Writer.SubmitAsync(new RevokeSessions(SessionOf(login), null, DateTimeOffset.UtcNow), Ct);

        await closed.WaitAsync(WithinChecks, Ct);
        Assert.Equal(HubConnectionState.Connected, otherConnection.State);
        await otherConnection.ListRoomsAsync(Ct).WaitAsync(ChatServer.Timeout, Ct);
    }

    [Fact]
    public async Task AnEndNumberedBelowOneTheWatchAlreadyReadStillClosesItsSessionsConnections()
    {
        // PostgreSQL numbers an end when its transaction inserts it, not when it commits: a lower number can commit after
        // the watch has read a higher one.
        var first = await _server.LoginAsync("frank");
        var second = await _server.LoginAsync("grace");
        await using var firstConnection = await _server.ConnectAsync(first.AccessToken, reconnectDelays: []);
        await using var secondConnection = await _server.ConnectAsync(second.AccessToken, reconnectDelays: []);
        var firstClosed = Closed(firstConnection);
        var secondClosed = Closed(secondConnection);

        await Writer.SubmitAsync(new RevokeNumbered(SessionOf(first), 1_000_000), Ct);
        await firstClosed.WaitAsync(WithinChecks, Ct); // so the watch has read end 1,000,000
        Assert.Equal(HubConnectionState.Connected, secondConnection.State);
        await Writer.SubmitAsync(new RevokeNumbered(SessionOf(second), 999_999), Ct);

        await secondClosed.WaitAsync(WithinChecks, Ct);
    }

    private static string SessionOf(LoginResponse login) => RefreshTokens.SessionIdOf(login.RefreshToken)!; // a login carries one

    private static Task Closed(ChatConnection connection)
    {
        var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        connection.Hub.Closed += _ => Task.FromResult(closed.TrySetResult());
        connection.Hub.Reconnecting += _ => Task.FromResult(closed.TrySetResult());
        return closed.Task;
    }

    /// <summary>
    /// Stores an end of a given number, as a slower transaction on another node would. Only the end: revoking the row
    /// too would number another end of its own (the trigger), and the watch reads only the ends.
    /// </summary>
    private sealed class RevokeNumbered(string sessionId, long number) : WriteCommand<bool>
    {
        protected override async Task<bool> RunAsync(WriteContext context, CancellationToken cancellationToken)
        {
            context.Db.SessionEnds.Add(new SessionEnd { Id = number, SessionId = sessionId, EndedAt = DateTimeOffset.UtcNow });
            await context.Db.SaveChangesAsync(cancellationToken);
            return true;
        }
    }
}
