using System.Net;
using System.Net.Http.Json;
using ChatApp.Contracts;
using Microsoft.AspNetCore.SignalR;

namespace ChatApp.Tests;

/// <summary>A refused call is the caller's doing: one short log line, no stack trace, not an error.</summary>
public sealed class RefusalLogTests
{
    private const int Calls = 200;
    private const int MaxBytesPerCall = 600;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string NewId() => Guid.NewGuid().ToString("N");

    /// <summary>The log files' length now, and a reader of what was appended after a given length.</summary>
    [Fact]
    public async Task ManyRefusedHubCallsWriteOneShortInformationLineEach()
    {
        await using var server = new ChatServer(new Dictionary<string, string> { ["Limits:Enabled"] = "false" });
        await using var alice = await server.UserAsync("alice");
        await using var bob = await server.UserAsync("bob", "general");
        var before = server.LogLength();

        for (var i = 0; i < Calls; i++)
        {
            var refused = await Assert.ThrowsAsync<HubException>(() => alice.Connection.SendMessageAsync("general", "let me in", NewId(), Ct));
            Assert.Equal(ChatErrorCodes.Forbidden, ChatErrors.Parse(refused.Message)?.Code);
        }

        var perCall = (server.LogLength() - before) / (double)Calls;
        Assert.InRange(perCall, 1, MaxBytesPerCall);
        var log = await server.ReadLogAsync();
        Assert.DoesNotContain("\"Level\":\"Error\"", log, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", log, StringComparison.Ordinal); // no stack trace
        TestContext.Current.TestOutputHelper?.WriteLine($"refused hub call: {perCall:F0} bytes of log each");
    }

    [Fact]
    public async Task ManyRefusedRestCallsWriteOnlyTheirShortRequestLine()
    {
        await using var server = new ChatServer(new Dictionary<string, string>
        {
            ["Limits:Enabled"] = "false",
            ["Serilog:MinimumLevel:Override:Serilog.AspNetCore.RequestLoggingMiddleware"] = "Information", // as in production: the request line counts too
        });
        await using var alice = await server.UserAsync("alice");
        using var http = server.CreateHttpClient(alice.Token);
        var before = server.LogLength();

        for (var i = 0; i < Calls; i++)
        {
            using var refused = await http.PostAsJsonAsync($"{ChatPaths.Rooms}/general/messages", new PostMessageRequest("let me in", NewId()), Ct);
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        }

        var perCall = (server.LogLength() - before) / (double)Calls;
        Assert.InRange(perCall, 1, MaxBytesPerCall);
        var log = await server.ReadLogAsync();
        Assert.DoesNotContain("\"Level\":\"Error\"", log, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", log, StringComparison.Ordinal);
        TestContext.Current.TestOutputHelper?.WriteLine($"refused REST call: {perCall:F0} bytes of log each, request line included");
    }

    [Fact]
    public async Task ARefusedHubCallsLineCarriesItsConnectionAndUserFromTheHubsLogScope()
    {
        await using var server = new ChatServer(new Dictionary<string, string> { ["Limits:Enabled"] = "false" });
        await using var alice = await server.UserAsync("alice");
        await using var bob = await server.UserAsync("bob", "general");

        await Assert.ThrowsAsync<HubException>(() => alice.Connection.SendMessageAsync("general", "let me in", NewId(), Ct));

        var line = (await server.ReadLogAsync()).Split('\n').Single(l => l.Contains("refused for", StringComparison.Ordinal));
        using var entry = System.Text.Json.JsonDocument.Parse(line);
        var properties = entry.RootElement.GetProperty("Properties");
        Assert.False(string.IsNullOrEmpty(properties.GetProperty("ConnectionId").GetString()));
        Assert.Equal("alice", properties.GetProperty("User").GetString());
    }

    [Fact]
    public async Task ARefusedHubWebSocketRequestStillWritesItsRequestLine()
    {
        // Over Kestrel: a hub WebSocket request skips Serilog's request logging (its state would live as long as the
        // connection) and is logged as it starts instead, when it is refused.
        await using var server = new ChatServer(new Dictionary<string, string> { ["Limits:Enabled"] = "false" }, kestrel: true);
        using var socket = new System.Net.WebSockets.ClientWebSocket();
        var hub = new UriBuilder(server.BaseAddress) { Scheme = "ws", Path = ChatPaths.Hub, Query = "access_token=not-a-token" }.Uri;

        await Assert.ThrowsAnyAsync<System.Net.WebSockets.WebSocketException>(() => socket.ConnectAsync(hub, Ct).WaitAsync(ChatServer.Timeout, Ct));

        var line = "";
        using var tick = new PeriodicTimer(TimeSpan.FromMilliseconds(50));
        for (var deadline = DateTime.UtcNow + ChatServer.Timeout; line.Length == 0 && DateTime.UtcNow < deadline; await tick.WaitForNextTickAsync(Ct))
        {
            line = (await server.ReadLogAsync()).Split('\n').FirstOrDefault(l => l.Contains("hub WebSocket request", StringComparison.Ordinal)) ?? "";
        }

        using var entry = System.Text.Json.JsonDocument.Parse(line);
        var properties = entry.RootElement.GetProperty("Properties");
        Assert.Equal(401, properties.GetProperty("StatusCode").GetInt32());
        Assert.Equal(ChatPaths.Hub, properties.GetProperty("RequestPath").GetString());
        Assert.DoesNotContain("not-a-token", line, StringComparison.Ordinal); // the query (the token) is never logged
    }
}
