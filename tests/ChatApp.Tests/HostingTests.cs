using System.Net;

namespace ChatApp.Tests;

/// <summary>Hosting conventions: where the server listens, probes, and what it says when it cannot start.</summary>
public sealed class HostingTests : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "chatapp-tests", Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task TheServerListensWhereAspNetCoreUrlsSaysAndAnswersItsProbes()
    {
        await using var server = ServerProcess.Start(_directory);
        await server.WaitUntilAnsweringAsync("/healthz/live", StartTimeout, Ct);

        using var http = new HttpClient { BaseAddress = server.Address };
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/healthz/ready", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/healthz", Ct)).StatusCode);
    }

    [Fact]
    public async Task AServerThatCannotStartWritesWhyToTheConsoleAndExitsWithAnError()
    {
        await using var server = ServerProcess.Start(_directory, new Dictionary<string, string> { ["Writer__MaxBatchSize"] = "-1" });

        var exitCode = await server.WaitForExitAsync(StartTimeout, Ct);

        Assert.NotEqual(0, exitCode);
        Assert.Contains("FTL] The server stopped", server.Output, StringComparison.Ordinal);
        Assert.Contains("MaxBatchSize", server.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LivenessAndReadinessAnswerHealthyWhileTheDatabaseCanBeWritten()
    {
        await using var server = new ChatServer();
        using var http = server.CreateHttpClient();
        foreach (var probe in new[] { "/healthz/live", "/healthz/ready", "/healthz" })
        {
            using var response = await http.GetAsync(probe, Ct);
            Assert.Equal((HttpStatusCode.OK, "Healthy"), (response.StatusCode, await response.Content.ReadAsStringAsync(Ct)));
        }
    }

    public ValueTask DisposeAsync()
    {
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // nothing was written, or a log file still held open only leaves a temp folder behind
        }

        return ValueTask.CompletedTask;
    }
}
