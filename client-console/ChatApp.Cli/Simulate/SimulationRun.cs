using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using ChatApp.Client;
using ChatApp.Contracts;
using Microsoft.AspNetCore.SignalR;

namespace ChatApp.Cli.Simulate;

/// <summary>The state every bot of one run shares: the run's id, the live counters, and the message template.</summary>
public sealed class SimulationRun
{
    private readonly string _filler;
    private readonly ConcurrentDictionary<string, int> _errors = new();
    private ConcurrentDictionary<string, int> _stepErrors = new();
    private readonly int[] _movedTo;
    private int _catchingUp;
    private readonly Dictionary<string, int> _membersConnected = new(StringComparer.OrdinalIgnoreCase);
    private long _sent;
    private long _acked;
    private long _failed;
    private long _inFlight;
    private long _delivered;
    private long _expectedDeliveries;
    private long _foreign;
    private int _connected;
    private long _lastAck;
    private long _lastDelivery;

    public SimulationRun(SimulationOptions options)
    {
        Options = options;
        // Unique per run: a clientMessageId reused across runs would be answered with the old message (idempotent send).
        RunId = Guid.NewGuid().ToString("N")[..10];
        _filler = new string('x', options.MessageSize);
        _movedTo = new int[options.Servers.Count];
    }

    public SimulationOptions Options { get; }

    public string RunId { get; }

    /// <summary>Acks and deliveries per second, for <c>--html</c>.</summary>
    public RunTimeline Timeline { get; } = new();

    /// <summary>Messages due before this timestamp are the warm-up: checked, but not in the latency figures.</summary>
    public long MeasureFrom { get; set; } = long.MaxValue;

    public long Sent => Interlocked.Read(ref _sent);

    public long Acked => Interlocked.Read(ref _acked);

    public long Failed => Interlocked.Read(ref _failed);

    public long InFlight => Interlocked.Read(ref _inFlight);

    public long Delivered => Interlocked.Read(ref _delivered);

    public long ExpectedDeliveries => Interlocked.Read(ref _expectedDeliveries);

    public long ForeignDeliveries => Interlocked.Read(ref _foreign);

    public int Connected => Volatile.Read(ref _connected);

    public long LastAck => Interlocked.Read(ref _lastAck);

    public long LastDelivery => Interlocked.Read(ref _lastDelivery);

    public long ErrorCount => _errors.Values.Sum();

    /// <summary>Bots catching up right now: the drain waits for them.</summary>
    public int CatchingUp => Volatile.Read(ref _catchingUp);

    /// <summary>Per server, how many times a bot opened a new connection to it after losing one.</summary>
    public int MovedTo(int server) => Volatile.Read(ref _movedTo[server]);

    public Counters Snapshot() => new(Sent, Acked, Failed);

    /// <summary>The errors counted since the last call (the step's), starting afresh.</summary>
    public IReadOnlyDictionary<string, int> TakeStepErrors() => Interlocked.Exchange(ref _stepErrors, new ConcurrentDictionary<string, int>());

    public IReadOnlyDictionary<string, int> Errors => _errors;

    public string TextFor(string clientMessageId) =>
        clientMessageId.Length + 1 >= _filler.Length ? clientMessageId : string.Concat(clientMessageId, " ", _filler.AsSpan(0, _filler.Length - clientMessageId.Length - 1));

    /// <summary>Reads the intended send time out of a clientMessageId of this run ("runId.bot.n.due").</summary>
    public bool TryReadStamp(string clientMessageId, out long due)
    {
        due = 0;
        var id = clientMessageId.AsSpan();
        if (!id.StartsWith(RunId, StringComparison.Ordinal))
        {
            return false;
        }

        var dot = id.LastIndexOf('.');
        return dot > 0 && long.TryParse(id[(dot + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out due);
    }

    public int Microseconds(long stopwatchTicks) =>
        (int)Math.Min(int.MaxValue, stopwatchTicks * 1_000_000.0 / Stopwatch.Frequency);

    public void BotConnected(Bot bot)
    {
        Interlocked.Increment(ref _connected);
        lock (_membersConnected)
        {
            foreach (var room in bot.Rooms)
            {
                var name = Options.RoomName(room);
                _membersConnected[name] = _membersConnected.GetValueOrDefault(name) + 1;
            }
        }
    }

    public void MessageStarted()
    {
        Interlocked.Increment(ref _sent);
        Interlocked.Increment(ref _inFlight);
    }

    public void MessageAcked(string room)
    {
        int members;
        lock (_membersConnected)
        {
            members = _membersConnected.GetValueOrDefault(room);
        }

        Interlocked.Add(ref _expectedDeliveries, members);
        Interlocked.Increment(ref _acked);
        Interlocked.Exchange(ref _lastAck, Stopwatch.GetTimestamp());
        Interlocked.Decrement(ref _inFlight);
    }

    public void MessageFailed(Exception ex)
    {
        Interlocked.Increment(ref _failed);
        Interlocked.Decrement(ref _inFlight);
        CountError(ex);
    }

    public void CountDelivery()
    {
        Interlocked.Increment(ref _delivered);
        Interlocked.Exchange(ref _lastDelivery, Stopwatch.GetTimestamp());
    }

    public void CountForeignDelivery() => Interlocked.Increment(ref _foreign);

    public void CatchUpStarted() => Interlocked.Increment(ref _catchingUp);

    public void CatchUpEnded() => Interlocked.Decrement(ref _catchingUp);

    public void CountMove(int server) => Interlocked.Increment(ref _movedTo[server]);

    public void CountError(Exception ex) => CountError(Describe(ex));

    public void CountError(string kind)
    {
        _errors.AddOrUpdate(kind, 1, static (_, n) => n + 1);
        Volatile.Read(ref _stepErrors).AddOrUpdate(kind, 1, static (_, n) => n + 1);
    }

    public readonly record struct Counters(long Sent, long Acked, long Failed);

    /// <summary>An error's kind: its type, plus the server's words for a refusal (they name the cause, not the instance).</summary>
    public static string Describe(Exception ex) => ex switch
    {
        // Said plainly: a load test against a server with its rate limits on measures the limits, not the server.
        HubException hub when ChatErrors.Parse(hub.Message)?.Code == ChatErrorCodes.RateLimited => RateLimited,
        ChatApiException { StatusCode: 429 } => RateLimited,
        HubException hub => "HubException: " + Truncate(SessionConnection.ServerWords(hub)),
        OperationCanceledException => "timed out or cancelled",
        _ => ex.GetType().Name + ": " + Truncate(ex.Message),
    };

    private const string RateLimited = "rate_limited by the server: for load tests start it with Limits:Enabled=false (Limits__Enabled=false)";

    private static string Truncate(string text) => text.Length <= 100 ? text : text[..100];
}
