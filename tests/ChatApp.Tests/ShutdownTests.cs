using System.Collections.Concurrent;
using System.Diagnostics;
using ChatApp.Contracts;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ChatApp.Tests;

/// <summary>Stopping with clients connected: quick, and nothing acknowledged is lost.</summary>
public sealed class ShutdownTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AServerWithConnectedReconnectingClientsStopsWithinSecondsAndKeepsEveryAckedMessage()
    {
        await using var server = new ChatServer(kestrel: true);
        // Clients that come straight back when dropped, as browser tabs do (@microsoft/signalr's first retry is immediate).
        var comeStraightBack = Enumerable.Repeat(TimeSpan.Zero, 3).Concat(Enumerable.Repeat(TimeSpan.FromMilliseconds(50), 1_000)).ToArray();
        var users = new List<ChatUserSession>();
        for (var i = 0; i < 6; i++)
        {
            var token = await server.TokenForAsync($"user{i}");
            var connection = server.CreateConnection(token, comeStraightBack);
            await connection.StartAsync(Ct).WaitAsync(ChatServer.Timeout, Ct);
            await connection.JoinRoomAsync("general", Ct);
            users.Add(new ChatUserSession($"user{i}", token, connection, new EventRecorder()));
        }

        // Every user sends as fast as its acks come back, until its connection goes.
        var acked = new ConcurrentBag<ChatMessage>();
        using var stopSending = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var senders = users.Select(user => Task.Run(async () =>
        {
            for (var n = 0; !stopSending.IsCancellationRequested; n++)
            {
                try
                {
                    acked.Add(await user.Connection.SendMessageAsync("general", $"{user.Name} {n}", $"{user.Name}-{n}", stopSending.Token));
                }
                catch (Exception)
                {
                    return; // refused or dropped: not acked, so not counted
                }
            }
        }, Ct)).ToList();
        using var enough = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
        while (acked.Count < 60)
        {
            await enough.WaitForNextTickAsync(Ct);
        }

        var stopwatch = Stopwatch.StartNew();
        await server.Services.GetRequiredService<IHost>().StopAsync(Ct).WaitAsync(TimeSpan.FromSeconds(30), Ct);
        var stopped = stopwatch.Elapsed;

        await Task.WhenAll(senders).WaitAsync(ChatServer.Timeout, Ct);
        await stopSending.CancelAsync();
        TestContext.Current.TestOutputHelper?.WriteLine($"Stopped in {stopped.TotalMilliseconds:F0} ms with {acked.Count} acked");
        Assert.True(stopped < TimeSpan.FromSeconds(5), $"Stopping took {stopped.TotalSeconds:F1} s");

        foreach (var user in users)
        {
            await user.DisposeAsync();
        }

        await server.RestartAsync();
        await using var reader = await server.ConnectAsync(users[0].Token);
        var stored = (await reader.StreamMessagesSinceAsync("general", 0, Ct).ToListAsync(Ct)).ToDictionary(m => m.Seq);
        Assert.All(acked, m => Assert.Equal(m.Text, stored.GetValueOrDefault(m.Seq)?.Text));
    }

    [Fact]
    public async Task OnceTheServerIsStoppingItClosesHubConnectionsRefusesNewOnesWith503AndIsNotReady()
    {
        var hold = new HoldStopping();
        await using var server = new ChatServer(services: services => services.AddSingleton<IHostedService>(hold));
        await using var alice = await server.UserAsync("alice", "general");
        var dropped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        alice.Connection.Hub.Reconnecting += _ =>
        {
            dropped.TrySetResult();
            return Task.CompletedTask;
        };

        server.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication();
        await hold.Stopping.Task.WaitAsync(ChatServer.Timeout, Ct); // stopping has begun; the server still answers

        try
        {
            await dropped.Task.WaitAsync(ChatServer.Timeout, Ct);
            var refused = await Assert.ThrowsAnyAsync<Exception>(() => server.ConnectAsync(alice.Token));
            Assert.Contains("503", refused.ToString(), StringComparison.Ordinal);
            using var http = server.CreateHttpClient();
            Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, (await http.GetAsync("/healthz/ready", Ct)).StatusCode);
            Assert.Equal(System.Net.HttpStatusCode.OK, (await http.GetAsync("/healthz/live", Ct)).StatusCode);
        }
        finally
        {
            hold.Release.TrySetResult();
        }
    }

    /// <summary>Holds the host between "stopping has begun" and stopping the server, so a test can look at that moment.</summary>
    private sealed class HoldStopping : IHostedLifecycleService
    {
        public TaskCompletionSource Stopping { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task StoppingAsync(CancellationToken cancellationToken)
        {
            Stopping.TrySetResult();
            return Release.Task.WaitAsync(cancellationToken);
        }

        public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    [Fact]
    public async Task ASigtermedServerProcessWithConnectedClientsExitsWithinSecondsAndARestartHasEveryAckedMessage()
    {
        var data = Path.Combine(Path.GetTempPath(), "chatapp-tests", Guid.NewGuid().ToString("N"));
        var server = ServerProcess.Start(data);
        await server.WaitUntilAnsweringAsync("/healthz/ready", TimeSpan.FromSeconds(60), Ct);
        using var http = new HttpClient { BaseAddress = server.Address };
        var comeStraightBack = Enumerable.Repeat(TimeSpan.Zero, 3).Concat(Enumerable.Repeat(TimeSpan.FromMilliseconds(50), 1_000)).ToArray();
        var connections = new List<ChatApp.Client.ChatConnection>();
        string? token = null;
        for (var i = 0; i < 4; i++)
        {
            token = (await new ChatApp.Client.ChatAccounts(http).LoginOrRegisterAsync($"user{i}", ChatServer.Password, Ct)).AccessToken;
            var tokenOfThisOne = token;
            var connection = new ChatApp.Client.ChatConnection(server.Address, _ => ValueTask.FromResult<string?>(tokenOfThisOne), ChatApp.Client.ChatConnectionOptions.WebSocketsDirect with { ReconnectDelays = comeStraightBack });
            await connection.StartAsync(Ct).WaitAsync(ChatServer.Timeout, Ct);
            await connection.JoinRoomAsync("general", Ct);
            connections.Add(connection);
        }

        var acked = new List<ChatMessage>();
        foreach (var (connection, i) in connections.Select((c, i) => (c, i)))
        {
            acked.Add(await connection.SendMessageAsync("general", $"before the signal {i}", $"m-{i}", Ct));
        }

        var stopwatch = Stopwatch.StartNew();
        await server.TerminateAsync(Ct);
        await server.WaitForExitAsync(TimeSpan.FromSeconds(60), Ct);
        var stopped = stopwatch.Elapsed;
        TestContext.Current.TestOutputHelper?.WriteLine($"Exited {stopped.TotalMilliseconds:F0} ms after SIGTERM");
        Assert.True(stopped < TimeSpan.FromSeconds(5), $"Exiting took {stopped.TotalSeconds:F1} s. Output:\n{server.Output}");
        Assert.Contains("Shutting down: closed", server.Output, StringComparison.Ordinal);
        TestContext.Current.TestOutputHelper?.WriteLine(server.Output);
        foreach (var connection in connections)
        {
            await connection.DisposeAsync();
        }

        await server.DisposeAsync();
        await using var again = ServerProcess.Start(data);
        await again.WaitUntilAnsweringAsync("/healthz/ready", TimeSpan.FromSeconds(60), Ct);
        await using var reader = new ChatApp.Client.ChatConnection(again.Address, _ => ValueTask.FromResult(token));
        await reader.StartAsync(Ct).WaitAsync(ChatServer.Timeout, Ct);
        var stored = await reader.StreamMessagesSinceAsync("general", 0, Ct).ToListAsync(Ct);
        Assert.Equal(acked.Select(m => (m.Seq, m.Text)).Order(), stored.Select(m => (m.Seq, m.Text)).Order());
    }
}
