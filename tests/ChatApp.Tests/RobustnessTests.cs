using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using ChatApp.Contracts;
using ChatApp.Server.Data;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ChatApp.Tests;

/// <summary>Durability, upgrades, secrets in logs, origins, dropped and stalled connections.</summary>
public sealed class RobustnessTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string NewId() => Guid.NewGuid().ToString("N");

    private static Uri HubUri(ChatServer server, string token) =>
        new UriBuilder(server.BaseAddress) { Scheme = "ws", Path = ChatPaths.Hub, Query = "access_token=" + Uri.EscapeDataString(token) }.Uri;

    [Fact]
    public async Task ARestartOnTheSameDatabaseKeepsEveryAcknowledgedMessageAndItsIdempotency()
    {
        await using var server = new ChatServer();
        var token = await server.TokenForAsync("alice");
        var acked = new List<ChatMessage>();
        await using (var alice = await server.ConnectAsync(token))
        {
            await alice.JoinRoomAsync("general", Ct);
            for (var i = 0; i < 20; i++)
            {
                acked.Add(await alice.SendMessageAsync("general", $"durable {i}", $"id-{i}", Ct));
            }
        }

        await server.RestartAsync();

        await using var again = await server.ConnectAsync(token); // the token outlives the restart too
        var stored = await again.StreamMessagesSinceAsync("general", 0, Ct).ToListAsync(Ct);
        Assert.Equal(acked.Select(m => (m.Seq, m.Text, m.ClientMessageId)), stored.Select(m => (m.Seq, m.Text, m.ClientMessageId)));

        var retry = await again.SendMessageAsync("general", "durable 7", "id-7", Ct);
        Assert.Equal(acked[7].Id, retry.Id);
        var next = await again.SendMessageAsync("general", "after restart", NewId(), Ct);
        Assert.Equal(21, next.Seq);
    }

    /// <summary>Does a change through ExecuteUpdate (outside the change tracker), then is refused.</summary>
    private sealed class RenameThenRefuse : WriteCommand<bool>
    {
        protected override async Task<bool> RunAsync(WriteContext context, CancellationToken cancellationToken)
        {
            await context.Db.Rooms.Where(r => r.Name == "general").ExecuteUpdateAsync(set => set.SetProperty(r => r.Name, "hijacked"), cancellationToken);
            throw ChatApp.Server.Errors.ChatException.Invalid("refused after writing");
        }
    }

    [Fact]
    public async Task ARefusedCommandLeavesNoTraceWhileTheRestOfItsBatchCommits()
    {
        await using var server = new ChatServer();
        await using var alice = await server.UserAsync("alice", "general");
        var writer = server.Services.GetRequiredService<DatabaseWriter>();
        var sender = new ChatApp.Server.Auth.ChatUser(1, "alice");
        var now = DateTimeOffset.UtcNow;

        var before = writer.SubmitAsync(new ChatApp.Server.Messages.AppendMessage(sender, "general", "before", "b", now), Ct);
        var refused = writer.SubmitAsync(new RenameThenRefuse(), Ct);
        var after = writer.SubmitAsync(new ChatApp.Server.Messages.AppendMessage(sender, "general", "after", "a", now), Ct);

        Assert.Equal(1, (await before).Message.Seq);
        await Assert.ThrowsAsync<ChatApp.Server.Errors.ChatException>(() => refused);
        Assert.Equal(2, (await after).Message.Seq);
        var rooms = await alice.Connection.ListRoomsAsync(Ct);
        Assert.Contains(rooms, r => r.Name == "general" && r.LastSeq == 2);
        Assert.DoesNotContain(rooms, r => r.Name == "hijacked");
    }

    [Theory]
    [InlineData("Chat:MaxHistoryPageSize", "0", "MaxHistoryPageSize")]
    [InlineData("Chat:ClientTimeoutSeconds", "5", "ClientTimeoutSeconds must be at least twice")]
    [InlineData("Writer:MaxBatchSize", "-1", "MaxBatchSize")]
    [InlineData("Auth:MinPasswordLength", "3", "MinPasswordLength")]
    [InlineData("Auth:SigningKey", "dG9vLXNob3J0", "Auth:SigningKey")]
    [InlineData("Auth:AccessTokenMinutes", "0", "AccessTokenMinutes")]
    public async Task BadSettingsStopTheServerAtStartUpNamingTheSetting(string key, string value, string named)
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var server = new ChatServer(new Dictionary<string, string> { [key] = value });
        });
        Assert.Contains(named, error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task HealthReportsHealthyWhenTheDatabaseAnswers()
    {
        await using var server = new ChatServer();
        using var http = server.CreateHttpClient();
        using var response = await http.GetAsync("/healthz", Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync(Ct));
    }

    [Fact]
    public async Task LogsNeverContainPasswordsOrTokensEvenFromTheHubQueryString()
    {
        await using var server = new ChatServer(new Dictionary<string, string> { ["Serilog:MinimumLevel:Override:Serilog.AspNetCore.RequestLoggingMiddleware"] = "Information" });
        var token = await server.TokenForAsync("alice");
        await using (var alice = await server.ConnectAsync(token))
        {
            await alice.JoinRoomAsync("general", Ct);
            await alice.SendMessageAsync("general", "hello logs", NewId(), Ct);
        }

        using var http = server.CreateHttpClient(token);
        using var _ = await http.GetAsync("/api/rooms?access_token=" + Uri.EscapeDataString(token), Ct);
        await server.RestartAsync(); // flushes and closes the log file

        var logs = string.Join("\n", Directory.GetFiles(Path.Combine(server.Directory, "logs")).Select(File.ReadAllText));
        // The hub's request has a request line of its own (not just a scope property on other lines)...
        var requestLines = logs.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line).RootElement)
            .Where(line => line.GetProperty("MessageTemplate").GetString()!.StartsWith("HTTP ", StringComparison.Ordinal));
        Assert.Contains(requestLines, line => line.GetProperty("Properties").GetProperty("RequestPath").GetString() == ChatPaths.Hub);
        Assert.DoesNotContain(token[..20], logs, StringComparison.Ordinal); // ...without its token
        Assert.DoesNotContain(ChatServer.Password, logs, StringComparison.Ordinal);
        Assert.DoesNotContain("access_token", logs, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BrowsersFromOtherSitesCannotOpenTheHub()
    {
        await using var server = new ChatServer();
        var token = await server.TokenForAsync("alice");
        var uri = new Uri($"ws://localhost{ChatPaths.Hub}?access_token={Uri.EscapeDataString(token)}");

        var evil = server.TestServer.CreateWebSocketClient();
        evil.ConfigureRequest = request => request.Headers.Origin = "http://evil.example";
        var refused = await Assert.ThrowsAnyAsync<Exception>(() => evil.ConnectAsync(uri, Ct));
        Assert.Contains("403", refused.Message, StringComparison.Ordinal);

        var same = server.TestServer.CreateWebSocketClient();
        same.ConfigureRequest = request => request.Headers.Origin = "http://localhost";
        using var socket = await same.ConnectAsync(uri, Ct);
        Assert.Equal(WebSocketState.Open, socket.State);
    }

    [Fact]
    public async Task AUserWhoseConnectionDropsWithoutGoodbyeGoesOfflineAfterTheTimeout()
    {
        await using var server = new ChatServer(new Dictionary<string, string>
        {
            ["Chat:KeepAliveSeconds"] = "1",
            ["Chat:ClientTimeoutSeconds"] = "5", // short, yet loose enough for a busy test machine
        }, kestrel: true);
        // A live client pings well within the server's timeout.
        await using var aliceConnection = server.CreateConnection(await server.TokenForAsync("alice"));
        aliceConnection.Hub.KeepAliveInterval = TimeSpan.FromMilliseconds(250);
        var aliceEvents = new EventRecorder();
        aliceConnection.Subscribe(aliceEvents);
        await aliceConnection.StartAsync(Ct);
        await aliceConnection.JoinRoomAsync("general", Ct);
        var alice = new { Connection = aliceConnection, Events = aliceEvents };
        var bobToken = await server.TokenForAsync("bob");
        await using (var bob = await server.ConnectAsync(bobToken))
        {
            await bob.JoinRoomAsync("general", Ct);
        }

        // Until the server has closed that first connection, a second one would not make bob "come online".
        await alice.Events.WaitUntilAsync(r => r.LastPresenceOf("bob") == nameof(EventRecorder.UserOffline), "bob's first connection closed");

        // A client that shakes hands and then goes silent, like a laptop whose lid was closed.
        using var silent = new ClientWebSocket();
        silent.Options.KeepAliveInterval = TimeSpan.Zero;
        await silent.ConnectAsync(HubUri(server, bobToken), Ct);
        await silent.SendAsync(Encoding.UTF8.GetBytes("{\"protocol\":\"json\",\"version\":1}\u001e"), WebSocketMessageType.Text, true, Ct);
        var handshake = await silent.ReceiveAsync(new byte[256], Ct).WaitAsync(ChatServer.Timeout, Ct);
        Assert.Equal(WebSocketMessageType.Text, handshake.MessageType);
        // One ping, as every client sends; SignalR starts timing a client out from its first message after the handshake.
        await silent.SendAsync(Encoding.UTF8.GetBytes("{\"type\":6}\u001e"), WebSocketMessageType.Text, true, Ct);
        await alice.Events.WaitUntilAsync(r => r.LastPresenceOf("bob") == nameof(EventRecorder.UserOnline), "bob online");

        // Presence is decided when sent, so the last word about bob is what counts.
        await alice.Events.WaitUntilAsync(r => r.LastPresenceOf("bob") == nameof(EventRecorder.UserOffline), "bob offline after the timeout", TimeSpan.FromSeconds(30));
        Assert.Contains(await alice.Connection.GetRoomMembersAsync("general", Ct), m => m.UserName == "bob" && !m.Online);
    }

    [Fact]
    public async Task AMemberWhoStopsReadingIsDroppedWhenItsSocketStopsAnsweringPings()
    {
        await using var server = new ChatServer(new Dictionary<string, string>
        {
            ["Chat:WebSocketPingSeconds"] = "1",
            ["Chat:WebSocketPongTimeoutSeconds"] = "2",
            ["Limits:Enabled"] = "false", // floods on purpose
        }, kestrel: true);
        await using var alice = await server.UserAsync("alice", "general");
        var stalledToken = await server.TokenForAsync("stalled");
        await using (var join = await server.ConnectAsync(stalledToken))
        {
            await join.JoinRoomAsync("general", Ct);
        }

        // Until the server has closed that first connection, a second one would not make the member "come online".
        await alice.Events.WaitUntilAsync(r => r.LastPresenceOf("stalled") == nameof(EventRecorder.UserOffline), "the joining connection closed");

        // Handshake, then never read again: pings go unanswered (it still sends nothing SignalR would time out).
        using var stalled = new ClientWebSocket();
        stalled.Options.KeepAliveInterval = TimeSpan.Zero;
        await stalled.ConnectAsync(HubUri(server, stalledToken), Ct);
        await stalled.SendAsync(Encoding.UTF8.GetBytes("{\"protocol\":\"json\",\"version\":1}\u001e"), WebSocketMessageType.Text, true, Ct);
        await alice.Events.WaitUntilAsync(r => r.LastPresenceOf("stalled") == nameof(EventRecorder.UserOnline), "stalled online");

        await alice.Events.WaitUntilAsync(r => r.LastPresenceOf("stalled") == nameof(EventRecorder.UserOffline), "the stalled member dropped", TimeSpan.FromSeconds(20));
        await alice.Connection.SendMessageAsync("general", "alice, still connected", NewId(), Ct);
        Assert.Equal(HubConnectionState.Connected, alice.Connection.State);
    }

    [Fact]
    public async Task AMemberWhoStopsReadingDelaysNobodyElse()
    {
        // Floods on purpose, faster than the rate limits allow.
        await using var server = new ChatServer(new Dictionary<string, string> { ["Limits:Enabled"] = "false" }, kestrel: true);
        await using var alice = await server.UserAsync("alice", "general");
        await using var bob = await server.UserAsync("bob", "general");
        var stalledToken = await server.TokenForAsync("stalled");
        await using (var join = await server.ConnectAsync(stalledToken))
        {
            await join.JoinRoomAsync("general", Ct);
        }

        // A member that connects with a tiny receive buffer and then never reads again.
        using var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, ct) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
                await socket.ConnectAsync(context.DnsEndPoint, ct);
                return new NetworkStream(socket, ownsSocket: true);
            },
        };
        using var stalled = new ClientWebSocket();
        await stalled.ConnectAsync(HubUri(server, stalledToken), new HttpMessageInvoker(handler), Ct);
        await stalled.SendAsync(Encoding.UTF8.GetBytes("{\"protocol\":\"json\",\"version\":1}\u001e"), WebSocketMessageType.Text, true, Ct);

        // Well past what the stalled socket's kernel buffers and SignalR's pipe can hold (about 8 MB of JSON).
        const int count = 2_000;
        var text = new string('z', 4_000);
        var sends = Enumerable.Range(0, count).Select(i => alice.Connection.SendMessageAsync("general", text, $"big-{i}", Ct));
        await Task.WhenAll(sends).WaitAsync(TimeSpan.FromSeconds(60), Ct);

        var received = await bob.Events.WaitForMessagesAsync(count, "general");
        Assert.Equal(Enumerable.Range(1, count).Select(i => (long)i), received.Select(m => m.Seq));
        Assert.Equal(WebSocketState.Open, stalled.State);
    }
}
