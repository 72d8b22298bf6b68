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
}
