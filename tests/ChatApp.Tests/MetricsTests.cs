using System.Globalization;
using Microsoft.AspNetCore.SignalR;

namespace ChatApp.Tests;

/// <summary>
/// Runs alone: each server's OpenTelemetry listener also takes the "ChatApp" meters of every other server
/// in the test process, so servers of tests running beside this one would move its counts.
/// </summary>
[CollectionDefinition(nameof(MetricsTests), DisableParallelization = true)]
public sealed class MetricsCollection;

/// <summary>What /metrics shows Prometheus.</summary>
[Collection(nameof(MetricsTests))]
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
        await using var server = new ChatServer(kestrel: true);
        await using var alice = await server.UserAsync("alice", "general");
        await using var bob = await server.UserAsync("bob", "general");
        for (var i = 0; i < 5; i++)
        {
            await alice.Connection.SendMessageAsync("general", $"counted {i}", $"m-{i}", Ct);
        }

        await bob.Events.WaitForMessagesAsync(5, "general");
        await Assert.ThrowsAsync<HubException>(() => alice.Connection.SendMessageAsync("nowhere", "x", "x", Ct));

        using var http = server.CreateHttpClient();
        var scrape = await http.GetStringAsync("/metrics", Ct);
        TestContext.Current.TestOutputHelper?.WriteLine(scrape);

        Assert.True(Sample(scrape, "chatapp_messages_committed_total", "kind=\"message\"") >= 5, "messages committed");
        Assert.True(Sample(scrape, "chatapp_writer_commit_duration_seconds_count") >= 1, "commit durations recorded");
        Assert.InRange(Sample(scrape, "chatapp_writer_commit_duration_seconds_sum"), 0.000_001, 60);
        Assert.True(Sample(scrape, "chatapp_writer_batch_size_sum") >= 5, "commands in batches");
        Assert.True(Sample(scrape, "chatapp_deliveries_started_total") >= 5, "deliveries started");
        Assert.True(Sample(scrape, "chatapp_connections") >= 2, "open connections");
        Assert.True(Sample(scrape, "chatapp_calls_refused_total", "code=\"not_found\"") >= 1, "the refused send");
        Assert.True(Sample(scrape, "chatapp_writer_queue_depth") >= 0, "writer queue depth");
        // The framework's and runtime's own meters come along.
        Assert.Contains("http_server_request_duration_seconds", scrape, StringComparison.Ordinal);
        Assert.Contains("kestrel_", scrape, StringComparison.Ordinal);
        Assert.Contains("signalr_server_", scrape, StringComparison.Ordinal);
        Assert.Contains("dotnet_gc_", scrape, StringComparison.Ordinal);
        Assert.Contains("dotnet_thread_pool_queue_length", scrape, StringComparison.Ordinal);
    }
}
