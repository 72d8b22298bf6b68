using ChatApp.Client;
using Microsoft.AspNetCore.SignalR.Client;

namespace ChatApp.Tests;

/// <summary><see cref="ChatConnection.WaitConnectedAsync"/> follows the connection's state changes instead of polling it.</summary>
public sealed class ConnectionStateTests : IAsyncLifetime
{
    private readonly ChatServer _server = new();

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task WaitingForTheConnectionEndsWhenTheReconnectSucceeds()
    {
        var token = await _server.TokenForAsync("alice");
        await using var connection = await _server.ConnectAsync(token, [TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2)]);
        var reconnecting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        connection.Hub.Reconnecting += _ =>
        {
            reconnecting.TrySetResult();
            return Task.CompletedTask;
        };

        await _server.RestartAsync();
        await reconnecting.Task.WaitAsync(ChatServer.Timeout, Ct);
        var waiting = connection.WaitConnectedAsync(Ct);
        Assert.False(waiting.IsCompleted); // the first reconnect attempt is half a second away

        await waiting.WaitAsync(ChatServer.Timeout, Ct);
        Assert.Equal(HubConnectionState.Connected, connection.State);
        Assert.NotEmpty(await connection.ListRoomsAsync(Ct));
    }

    [Fact]
    public async Task WaitingForAConnectionThatClosesForGoodFails()
    {
        var token = await _server.TokenForAsync("alice");
        await using var connection = await _server.ConnectAsync(token, [TimeSpan.FromSeconds(5)]);
        var reconnecting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        connection.Hub.Reconnecting += _ =>
        {
            reconnecting.TrySetResult();
            return Task.CompletedTask;
        };

        await _server.RestartAsync();
        await reconnecting.Task.WaitAsync(ChatServer.Timeout, Ct);
        var waiting = connection.WaitConnectedAsync(Ct);
        await connection.StopAsync(Ct); // gives up the pending reconnect: Closed, not Reconnected

        await Assert.ThrowsAsync<InvalidOperationException>(() => waiting.WaitAsync(ChatServer.Timeout, Ct));
    }

    [Fact]
    public async Task WaitingDuringTheFirstStartEndsWhenItIsUp()
    {
        var token = await _server.TokenForAsync("alice");
        await using var connection = _server.CreateConnection(token, options: new ChatConnectionOptions()); // negotiates first: a longer start
        var starting = connection.StartAsync(Ct);
        var waiting = connection.WaitConnectedAsync(Ct);

        await starting.WaitAsync(ChatServer.Timeout, Ct);
        await waiting.WaitAsync(ChatServer.Timeout, Ct);
        Assert.Equal(HubConnectionState.Connected, connection.State);
    }
}
