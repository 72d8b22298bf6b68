using System.Data.Common;
using System.Net.WebSockets;
using ChatApp.Client;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace ChatApp.Tests;

/// <summary><see cref="ChatConnection.SendWithRetryAsync"/> sends again, with the same id, whatever way the connection was lost.</summary>
public sealed class SendRetryTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ASendPendingWhenTheConnectionClosesCleanlyIsSentAgainAndStoredOnce()
    {
        var commits = new HeldCommits();
        await using var server = new ChatServer(services: services => services.AddSingleton<IInterceptor>(commits));
        var token = await server.TokenForAsync("alice");
        ClosableWebSocket? first = null;
        await using var connection = await server.ConnectAsync(token, [TimeSpan.Zero], ChatConnectionOptions.WebSocketsDirect with
        {
            ConfigureHttp = http =>
            {
                var sockets = http.WebSocketFactory!; // set by ChatServer's in-memory routing
                http.WebSocketFactory = async (context, ct) =>
                {
                    var socket = await sockets(context, ct);
                    return first is null ? first = new ClosableWebSocket(socket) : socket; // the reconnect gets a plain one
                };
            },
        });
        await connection.JoinRoomAsync("general", Ct);
        var reconnected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        connection.Hub.Reconnected += _ =>
        {
            reconnected.TrySetResult();
            return Task.CompletedTask;
        };

        commits.Holding = true;
        var sending = connection.SendWithRetryAsync("general", "once", "once", maxAttempts: 3, Ct);
        await commits.Reached.Task.WaitAsync(ChatServer.Timeout, Ct); // the send is on the server, its commit held
        first!.CloseAsIfTheServerDid(); // a clean close: the SignalR client cancels the pending call (no error to fail it with)
        await reconnected.Task.WaitAsync(ChatServer.Timeout, Ct); // the retry goes out now, while the original's commit is held
        commits.Release();

        var stored = await sending.WaitAsync(ChatServer.Timeout, Ct);
        Assert.Equal(1, stored.Seq);
        var all = await connection.StreamMessagesSinceAsync("general", 0, Ct).ToListAsync(Ct);
        Assert.Equal([(1L, "once")], all.Select(m => (m.Seq, m.Text)));
    }

    /// <summary>Holds every commit, once <see cref="Holding"/> is set, until <see cref="Release"/>.</summary>
    private sealed class HeldCommits : DbTransactionInterceptor
    {
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public volatile bool Holding;

        public TaskCompletionSource Reached { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Release() => _released.TrySetResult();

        public override async ValueTask<InterceptionResult> TransactionCommittingAsync(
            DbTransaction transaction, TransactionEventData eventData, InterceptionResult result, CancellationToken cancellationToken = default)
        {
            if (Holding)
            {
                Reached.TrySetResult();
                await _released.Task;
            }

            return result;
        }
    }

    /// <summary>Passes everything through until told to report a normal close, as a server that closes the socket cleanly does.</summary>
    private sealed class ClosableWebSocket(WebSocket inner) : PassThroughWebSocket(inner)
    {
        private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void CloseAsIfTheServerDid() => _closed.TrySetResult();

        public override WebSocketCloseStatus? CloseStatus => _closed.Task.IsCompleted ? WebSocketCloseStatus.NormalClosure : base.CloseStatus;

        public override WebSocketState State => _closed.Task.IsCompleted ? WebSocketState.CloseReceived : base.State;

        public override async ValueTask<ValueWebSocketReceiveResult> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken)
        {
            var receiving = base.ReceiveAsync(buffer, cancellationToken).AsTask();
            return await Task.WhenAny(receiving, _closed.Task) == receiving
                ? await receiving
                : new ValueWebSocketReceiveResult(0, WebSocketMessageType.Close, endOfMessage: true);
        }

        public override async Task<WebSocketReceiveResult> ReceiveAsync(ArraySegment<byte> buffer, CancellationToken cancellationToken)
        {
            var result = await ReceiveAsync(buffer.AsMemory(), cancellationToken);
            return new WebSocketReceiveResult(result.Count, result.MessageType, result.EndOfMessage, CloseStatus, CloseStatusDescription);
        }
    }
}
