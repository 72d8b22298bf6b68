using System.Globalization;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace ChatApp.Tests;

/// <summary>
/// What /metrics shows Prometheus. The server is a process of its own: a meter listener hears every meter of
/// its name in a process, so a server in the test process would also count the other tests' servers.
/// </summary>
public sealed class MetricsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>The sum of every sample of <paramref name="series"/> whose labels include all of <paramref name="labels"/>; NaN if none.</summary>
    private static double Sample(string scrape, string series, params string[] labels)
    {
        // Prometheus text format: name{labels} value [timestamp]
        var values = scrape.Split('\n')
            .Where(line => line.StartsWith(series + "{", StringComparison.Ordinal) || line.StartsWith(series + " ", StringComparison.Ordinal))
            .Where(line => labels.All(label => line.Contains(label, StringComparison.Ordinal)))
            .Select(line => line.StartsWith(series + "{", StringComparison.Ordinal) ? line[(line.LastIndexOf('}') + 1)..] : line[series.Length..])
            .Select(rest => double.Parse(rest.Trim().Split(' ')[0], CultureInfo.InvariantCulture))
            .ToList();
        return values.Count == 0 ? double.NaN : values.Sum();
    }

    [Fact]
    public async Task AScrapeAfterSomeSendsShowsChatAppsSeriesWithPlausibleValuesBesideTheFrameworksOwn()
    {
        // A burst of six message calls, and hardly any refill: five sends and the refused one pass, a seventh is rate-limited.
        var limits = new Dictionary<string, string> { ["Limits__MessagesBurst"] = "6", ["Limits__MessagesPerMinute"] = "1" };
        await using var server = ServerProcess.Start(Path.Combine(Path.GetTempPath(), "chatapp-tests", Guid.NewGuid().ToString("N")), limits);
        await server.WaitUntilAnsweringAsync("/healthz/ready", TimeSpan.FromSeconds(60), Ct);
        await using var alice = await ConnectAsync(server, "alice");
        await using var bob = await ConnectAsync(server, "bob");
        var received = 0;
        var allFive = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var counting = bob.Hub.On<ChatApp.Contracts.ChatMessage>(nameof(ChatApp.Contracts.IChatClient.MessageReceived), _ =>
        {
            if (Interlocked.Increment(ref received) == 5)
            {
                allFive.TrySetResult();
            }
        });
        for (var i = 0; i < 5; i++)
        {
            await alice.SendMessageAsync("general", $"counted {i}", $"m-{i}", Ct);
        }

        await allFive.Task.WaitAsync(ChatServer.Timeout, Ct);
        await Assert.ThrowsAsync<HubException>(() => alice.SendMessageAsync("nowhere", "x", "x", Ct));
        var limited = await Assert.ThrowsAsync<HubException>(() => alice.SendMessageAsync("general", "one too many", "m-limited", Ct));
        Assert.Equal(ChatApp.Contracts.ChatErrorCodes.RateLimited, ChatApp.Contracts.ChatErrors.Parse(limited.Message)?.Code);

        using var http = new HttpClient { BaseAddress = server.Address };
        var scrape = await http.GetStringAsync("/metrics", Ct);
        TestContext.Current.TestOutputHelper?.WriteLine(scrape);

        Assert.Equal(5, Sample(scrape, "chatapp_messages_committed_total", "kind=\"message\""));
        Assert.True(Sample(scrape, "chatapp_writer_commit_duration_seconds_count") >= 1, "commit durations recorded");
        Assert.InRange(Sample(scrape, "chatapp_writer_commit_duration_seconds_sum"), 0.000_001, 60);
        // Buckets in seconds, down to half a millisecond: the default ones (0, 5, 10, ... meant for milliseconds) put every batch in one.
        Assert.InRange(Sample(scrape, "chatapp_writer_commit_duration_seconds_bucket", "le=\"0.0005\""), 0, Sample(scrape, "chatapp_writer_commit_duration_seconds_count"));
        Assert.True(Sample(scrape, "chatapp_writer_batch_size_sum") >= 5, "commands in batches");
        Assert.True(Sample(scrape, "chatapp_deliveries_started_total") >= 5, "deliveries started");
        Assert.Equal(2, Sample(scrape, "chatapp_connections"));
        Assert.True(Sample(scrape, "chatapp_calls_refused_total", "code=\"not_found\"") >= 1, "the refused send");
        Assert.Equal(1, Sample(scrape, "chatapp_calls_rate_limited_total", "limit=\"Messages\""));
        // Depths are gauges of what waits now: present, never negative, and small once the traffic has been delivered.
        Assert.InRange(Sample(scrape, "chatapp_writer_queue_depth"), 0, 10);
        Assert.InRange(Sample(scrape, "chatapp_fanout_queue_depth"), 0, 10);
        // A healthy run fails no delivery, and says so with a 0 rather than with no series.
        Assert.Equal(0, Sample(scrape, "chatapp_deliveries_failed_total"));
        Assert.InRange(Sample(scrape, "chatapp_writer_batch_size_count"), 1, Sample(scrape, "chatapp_writer_batch_size_sum"));
        // The framework's and runtime's own meters come along.
        Assert.Contains("http_server_request_duration_seconds", scrape, StringComparison.Ordinal);
        Assert.Contains("kestrel_", scrape, StringComparison.Ordinal);
        Assert.Contains("signalr_server_", scrape, StringComparison.Ordinal);
        Assert.Contains("dotnet_gc_", scrape, StringComparison.Ordinal);
        Assert.Contains("dotnet_thread_pool_queue_length", scrape, StringComparison.Ordinal);
    }

    private static async Task<ChatApp.Client.ChatConnection> ConnectAsync(ServerProcess server, string userName)
    {
        using var http = new HttpClient { BaseAddress = server.Address };
        var token = (await new ChatApp.Client.ChatAccounts(http).LoginOrRegisterAsync(userName, ChatServer.Password, Ct)).AccessToken;
        var connection = new ChatApp.Client.ChatConnection(server.Address, _ => ValueTask.FromResult<string?>(token), ChatApp.Client.ChatConnectionOptions.WebSocketsDirect);
        await connection.StartAsync(Ct).WaitAsync(ChatServer.Timeout, Ct);
        await connection.JoinRoomAsync("general", Ct);
        return connection;
    }
}
