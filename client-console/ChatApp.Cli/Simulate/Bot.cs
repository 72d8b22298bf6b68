using System.Diagnostics;
using System.Globalization;
using ChatApp.Client;
using ChatApp.Contracts;
using Microsoft.AspNetCore.SignalR.Client;

namespace ChatApp.Cli.Simulate;

/// <summary>
/// One simulated user: its own connection, the rooms it belongs to, and a record of every seq it saw.
/// When its connection drops it reconnects (to the same server, or to the next one when several are
/// given and its own stays away) and catches up through <c>StreamMessagesSince</c> as
/// <see cref="RoomFollower"/> does, so it is checked like every other bot (<see cref="BotRecords"/>).
/// </summary>
public sealed class Bot(int index, string name, int[] rooms, SimulationRun run) : IAsyncDisposable
{
    /// <summary>Reconnects to the same server before moving on; a server that stays away this long is left for the next.</summary>
    private static readonly TimeSpan[] ReconnectDelays = [TimeSpan.Zero, TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2)];

    /// <summary>A send lost with its connection is sent again with the same clientMessageId (the server answers a retry with the original).</summary>
    private const int MaxSendAttempts = 5;

    private readonly CancellationTokenSource _life = new();
    private readonly List<ChatConnection> _retired = [];
    private CliEnvironment? _env;
    private volatile ChatConnection? _connection;
    private volatile bool _stopping;

    public int Index { get; } = index;

    public string Name { get; } = name;

    public int[] Rooms { get; } = rooms;

    /// <summary>The server this bot was dealt; <see cref="CurrentServer"/> is where it is connected now.</summary>
    public int HomeServer { get; } = run.Options.HomeServerOf(index);

    public int CurrentServer => Records.CurrentServer;

    /// <summary>Set once logged in; refreshed whenever a reconnect needs a fresh access token.</summary>
    public ChatTokens? Tokens { get; set; }

    public ChatConnection? Connection => _connection;

    public double ConnectMilliseconds { get; private set; }

    /// <summary>What this bot saw and what its sends were acknowledged with.</summary>
    public BotRecords Records { get; } = new(run, run.Options.HomeServerOf(index));

    public async Task ConnectAsync(CliEnvironment env, CancellationToken cancellationToken)
    {
        _env = env;
        var started = Stopwatch.GetTimestamp();
        await OpenAsync(HomeServer, cancellationToken);
        ConnectMilliseconds = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
    }

    private async Task<ChatConnection> OpenAsync(int server, CancellationToken cancellationToken)
    {
        var tokens = Tokens ?? throw new InvalidOperationException($"{Name} connects before it logged in.");
        var env = _env ?? throw new InvalidOperationException($"{Name} connects without an environment.");
        var options = run.Options.Connection() with { ConfigureHttp = env.ConfigureHttp, ReconnectDelays = env.ReconnectDelays ?? ReconnectDelays };
        var connection = new ChatConnection(run.Options.Servers[server], tokens.Provider, options);
        connection.Subscribe(new Events(Records));
        connection.Hub.Reconnecting += _ =>
        {
            Records.ConnectionLost();
            run.CountError("connection dropped (reconnecting)");
            return Task.CompletedTask;
        };
        connection.Hub.Reconnected += connectionId =>
        {
            _ = Records.CatchUpAsync(connection, _life.Token);
            return Task.CompletedTask;
        };
        connection.Hub.Closed += error =>
        {
            // Automatic reconnects gave up: this server is away. Unless the run is stopping, find one that answers.
            if (!_stopping && ReferenceEquals(_connection, connection))
            {
                Records.ConnectionLost();
                _ = FailOverAsync(server);
            }

            return Task.CompletedTask;
        };
        try
        {
            await connection.StartAsync(cancellationToken);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }

        Records.CurrentServer = server;
        var previous = _connection;
        _connection = connection;
        if (previous is not null)
        {
            lock (_retired)
            {
                _retired.Add(previous);
            }
        }

        return connection;
    }

    /// <summary>Opens a new connection, trying the servers in turn from the one after <paramref name="lost"/> (the same one when there is only one), then catches up.</summary>
    private async Task FailOverAsync(int lost)
    {
        var cancellationToken = _life.Token;
        var servers = run.Options.Servers.Count;
        var next = lost;
        try
        {
            for (var attempt = 0; !cancellationToken.IsCancellationRequested; attempt++)
            {
                next = (next + 1) % servers;
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(Simulation.ConnectTimeout);
                try
                {
                    var connection = await OpenAsync(next, timeout.Token);
                    run.CountMove(next);
                    await Records.CatchUpAsync(connection, cancellationToken);
                    return;
                }
                catch (Exception) when (!cancellationToken.IsCancellationRequested)
                {
                    // Not answering yet; the next server (or this one again, later) may.
                }

                await Task.Delay(TimeSpan.FromSeconds(Math.Min(1 + attempt, 5)), cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
            // The run is over.
        }
    }

    /// <summary>Joins the bot's rooms; the seq each room was at is where this bot's record of it starts.</summary>
    public async Task JoinRoomsAsync(CancellationToken cancellationToken)
    {
        foreach (var room in Rooms)
        {
            var info = await Connection!.JoinRoomAsync(run.Options.RoomName(room), cancellationToken); // connected before joining
            Records.Follow(info.Name, info.LastSeq);
        }
    }

    /// <summary>
    /// Sends at <paramref name="rate"/> from <paramref name="start"/> to <paramref name="end"/> (Stopwatch timestamps)
    /// without waiting for acks: each message is due at its own time, and a slow server shows as latency.
    /// </summary>
    public async Task SendLoopAsync(double rate, int step, long start, long end, CancellationToken cancellationToken)
    {
        var random = new Random(HashCode.Combine(run.Options.Seed, Index, step));
        var interval = Stopwatch.Frequency / rate;
        var jitter = run.Options.Jitter;
        var due = start + (long)(random.NextDouble() * interval); // spread the bots' first messages over one interval
        var sequence = 0;
        while (due < end && !cancellationToken.IsCancellationRequested)
        {
            var wait = due - Stopwatch.GetTimestamp();
            if (wait > 0)
            {
                await Task.Delay(TimeSpan.FromSeconds((double)wait / Stopwatch.Frequency), cancellationToken);
            }

            var room = run.Options.RoomName(Rooms[sequence % Rooms.Length]);
            _ = SendOneAsync(room, $"{step}-{sequence}", due, cancellationToken);
            sequence++;
            due += (long)(interval * (1 + (jitter * ((2 * random.NextDouble()) - 1))));
        }
    }

    private async Task SendOneAsync(string room, string sequence, long due, CancellationToken cancellationToken)
    {
        run.MessageStarted();
        try
        {
            // The stamp is the intended send time, not the actual one: open-loop measurement.
            var clientMessageId = string.Create(CultureInfo.InvariantCulture, $"{run.RunId}.{Index}.{sequence}.{due}");
            var message = await SendWithRetryAsync(room, run.TextFor(clientMessageId), clientMessageId, cancellationToken);
            Records.Acked(message, due, Stopwatch.GetTimestamp());
            run.MessageAcked(message.Room);
        }
        catch (Exception ex)
        {
            run.MessageFailed(ex);
        }
    }

    /// <summary>Like <see cref="ChatConnection.SendWithRetryAsync"/>, but on whichever connection this bot has by then: a failover replaces it.</summary>
    private async Task<ChatMessage> SendWithRetryAsync(string room, string text, string clientMessageId, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            TimeSpan? retryAfter = null;
            try
            {
                var connection = await UsableConnectionAsync(cancellationToken);
                return await connection.SendMessageAsync(room, text, clientMessageId, cancellationToken);
            }
            catch (Exception ex) when (ChatConnection.IsRetryable(ex, cancellationToken) && attempt < MaxSendAttempts)
            {
                retryAfter = ex is Microsoft.AspNetCore.SignalR.HubException hub ? ChatErrors.Parse(hub.Message)?.RetryAfter : null;
            }

            await Task.Delay(retryAfter ?? TimeSpan.FromMilliseconds(Math.Min(100 * attempt * attempt, 2_000)), cancellationToken);
        }
    }

    private async Task<ChatConnection> UsableConnectionAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var connection = _connection ?? throw new InvalidOperationException($"{Name} sends before it connected.");
            switch (connection.State)
            {
                case HubConnectionState.Connected:
                    return connection;
                case HubConnectionState.Reconnecting or HubConnectionState.Connecting:
                    try
                    {
                        await connection.WaitConnectedAsync(cancellationToken).WaitAsync(TimeSpan.FromSeconds(1), cancellationToken);
                    }
                    catch (Exception ex) when (ex is InvalidOperationException or TimeoutException)
                    {
                        // Closed for good (a failover will replace it), or still trying: look again.
                    }

                    break;
                default:
                    await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken); // closed: a failover is on its way
                    break;
            }
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _stopping = true;
        await _life.CancelAsync();
        if (Connection is { } connection)
        {
            await connection.StopAsync(cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stopping = true;
        await _life.CancelAsync();
        List<ChatConnection> connections;
        lock (_retired)
        {
            connections = [.. _retired];
        }

        if (Connection is { } connection)
        {
            connections.Add(connection);
        }

        foreach (var each in connections)
        {
            await each.DisposeAsync();
        }

        _life.Dispose();
        Records.Dispose();
    }

    private sealed class Events(BotRecords records) : ChatEvents
    {
        protected override Task OnEntry(ChatMessage entry)
        {
            records.OnLiveEntry(entry);
            return Task.CompletedTask;
        }
    }
}
