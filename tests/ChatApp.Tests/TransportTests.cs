using System.Collections.Concurrent;
using System.Net.WebSockets;
using ChatApp.Client;
using ChatApp.Contracts;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.Http.Connections.Client;

namespace ChatApp.Tests;

/// <summary>The official client over each transport SignalR offers, checked by what actually crossed the wire.</summary>
public sealed class TransportTests : IAsyncLifetime
{
    private readonly ChatServer _server = new();

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(HttpTransportType.WebSockets, ChatProtocol.Json)]
    [InlineData(HttpTransportType.ServerSentEvents, ChatProtocol.Json)]
    [InlineData(HttpTransportType.LongPolling, ChatProtocol.Json)]
    [InlineData(HttpTransportType.WebSockets, ChatProtocol.MessagePack)]
    [InlineData(HttpTransportType.LongPolling, ChatProtocol.MessagePack)] // binary over HTTP bodies
    public async Task TheSameChatWorksOverEveryTransport(HttpTransportType transport, ChatProtocol protocol)
    {
        var aliceWire = new WireLog();
        var bobWire = new WireLog();
        await using var alice = await ConnectAsync("alice", new ChatConnectionOptions { Transports = transport, Protocol = protocol }, aliceWire);
        await using var bob = await ConnectAsync("bob", new ChatConnectionOptions { Transports = transport, Protocol = protocol }, bobWire);
        var bobEvents = new EventRecorder();
        bob.Subscribe(bobEvents);
        await alice.JoinRoomAsync("general", Ct);
        await bob.JoinRoomAsync("general", Ct);

        var sent = new List<ChatMessage>();
        for (var i = 0; i < 5; i++)
        {
            sent.Add(await alice.SendMessageAsync("general", $"over {transport} {i}", Guid.NewGuid().ToString("N"), Ct).WaitAsync(ChatServer.Timeout, Ct));
        }

        var received = await bobEvents.WaitForMessagesAsync(5, "general");
        Assert.Equal(sent.Select(m => (m.Seq, m.Text)), received.Select(m => (m.Seq, m.Text)));
        Assert.Equal(sent.Select(m => m.Seq).Order(), sent.Select(m => m.Seq));

        var caughtUp = await bob.StreamMessagesSinceAsync("general", sent[1].Seq, Ct).ToListAsync(Ct).AsTask().WaitAsync(ChatServer.Timeout, Ct);
        Assert.Equal(sent.Skip(2).Select(m => (m.Seq, m.Text)), caughtUp.Select(m => (m.Seq, m.Text)));

        foreach (var wire in new[] { aliceWire, bobWire })
        {
            Assert.Contains("negotiate", wire.Seen);
            Assert.Equal(transport, wire.Transport());
        }
    }

    [Fact]
    public async Task ByDefaultTheClientNegotiatesAndPicksWebSockets()
    {
        var wire = new WireLog();
        await using var connection = await ConnectAsync("alice", new ChatConnectionOptions(), wire);
        await connection.JoinRoomAsync("general", Ct);

        Assert.Contains("negotiate", wire.Seen);
        Assert.Equal(HttpTransportType.WebSockets, wire.Transport());
    }

    [Fact]
    public async Task PinnedWebSocketsSkipNegotiation()
    {
        var wire = new WireLog();
        await using var connection = await ConnectAsync("alice", ChatConnectionOptions.WebSocketsDirect, wire);
        await connection.JoinRoomAsync("general", Ct);

        Assert.DoesNotContain("negotiate", wire.Seen);
        Assert.Equal(HttpTransportType.WebSockets, wire.Transport());
    }

    [Fact]
    public async Task AMessagePackClientNegotiatesPastServerSentEvents()
    {
        // Server-Sent Events carry text only; offered SSE and long polling, a binary protocol must take long polling.
        var wire = new WireLog();
        var options = new ChatConnectionOptions { Transports = HttpTransportType.ServerSentEvents | HttpTransportType.LongPolling, Protocol = ChatProtocol.MessagePack };
        await using var connection = await ConnectAsync("alice", options, wire);
        await connection.JoinRoomAsync("general", Ct);

        Assert.Equal(HttpTransportType.LongPolling, wire.Transport());
    }

    [Fact]
    public void SkippingNegotiationWithAnyOtherTransportIsRefusedAtConstruction()
    {
        var options = new ChatConnectionOptions { Transports = ChatConnectionOptions.AllTransports, SkipNegotiation = true };
        Assert.Throws<ArgumentException>(() => new ChatConnection(new Uri("http://localhost"), _ => ValueTask.FromResult<string?>(null), options));
    }

    [Fact]
    public void MessagePackOverServerSentEventsAloneIsRefusedAtConstruction()
    {
        var options = new ChatConnectionOptions { Transports = HttpTransportType.ServerSentEvents, Protocol = ChatProtocol.MessagePack };
        Assert.Throws<ArgumentException>(() => new ChatConnection(new Uri("http://localhost"), _ => ValueTask.FromResult<string?>(null), options));
    }

    [Theory]
    [InlineData(ChatProtocol.Json, WebSocketMessageType.Text)]
    [InlineData(ChatProtocol.MessagePack, WebSocketMessageType.Binary)]
    public async Task TheChosenProtocolIsWhatGoesOverTheSocket(ChatProtocol protocol, WebSocketMessageType frames)
    {
        FrameRecordingWebSocket? socket = null;
        var token = await _server.TokenForAsync("alice");
        await using var connection = await _server.ConnectAsync(token, options: ChatConnectionOptions.WebSocketsDirect with
        {
            Protocol = protocol,
            ConfigureHttp = http =>
            {
                var sockets = http.WebSocketFactory!; // set by ChatServer's in-memory routing
                http.WebSocketFactory = async (context, ct) => socket = new FrameRecordingWebSocket(await sockets(context, ct));
            },
        });
        var joined = await connection.JoinRoomAsync("general", Ct);

        Assert.Equal("general", joined.Name);
        Assert.NotNull(socket);
        // The socket's message type follows the protocol's transfer format, the handshake included.
        Assert.NotEmpty(socket.Sent);
        Assert.All(socket.Sent, type => Assert.Equal(frames, type));
    }

    private async Task<ChatConnection> ConnectAsync(string user, ChatConnectionOptions options, WireLog wire)
    {
        var token = await _server.TokenForAsync(user);
        return await _server.ConnectAsync(token, options: options with { ConfigureHttp = wire.Observe });
    }

    /// <summary>What a connection sent: the negotiate request, and how each transport shows itself on the wire.</summary>
    private sealed class WireLog
    {
        public ConcurrentQueue<string> Seen { get; } = new();

        public HttpTransportType? Transport()
        {
            var used = Seen.Where(s => s is "websocket" or "sse" or "poll").Distinct().ToList();
            Assert.Single(used);
            return used[0] switch
            {
                "websocket" => HttpTransportType.WebSockets,
                "sse" => HttpTransportType.ServerSentEvents,
                _ => HttpTransportType.LongPolling,
            };
        }

        /// <summary>Wraps the in-memory routing the test server already put in place.</summary>
        public void Observe(HttpConnectionOptions http)
        {
            var handlers = http.HttpMessageHandlerFactory!; // set by ChatServer's in-memory routing
            var sockets = http.WebSocketFactory!;
            http.HttpMessageHandlerFactory = inner => new Recorder(handlers(inner), Seen);
            http.WebSocketFactory = (context, ct) =>
            {
                Seen.Enqueue("websocket");
                return sockets(context, ct);
            };
        }
    }

    private sealed class Recorder(HttpMessageHandler inner, ConcurrentQueue<string> seen) : DelegatingHandler(inner)
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var path = request.RequestUri!.AbsolutePath; // HttpClient always has an absolute URI here
            seen.Enqueue(path.EndsWith("/negotiate", StringComparison.Ordinal) ? "negotiate"
                : request.Method == HttpMethod.Get && request.Headers.Accept.Any(a => a.MediaType == "text/event-stream") ? "sse"
                : request.Method == HttpMethod.Get ? "poll"
                : "send");
            return base.SendAsync(request, cancellationToken);
        }
    }
}
