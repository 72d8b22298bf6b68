using ChatApp.Client;

namespace ChatApp.Cli.Simulate;

/// <summary>What <c>chatapp simulate</c> was asked to do; also written into the report.</summary>
public sealed record SimulationOptions
{
    /// <summary>The servers (nodes) the bots are spread over round-robin; a bot whose server goes away moves to the next.</summary>
    public required IReadOnlyList<Uri> Servers { get; init; }

    /// <summary>The first server: rooms are created there, and the sequential comparison runs against it.</summary>
    public Uri Server => Servers[0];

    public int Users { get; init; } = 10;

    public int Rooms { get; init; } = 2;

    /// <summary>How many of the rooms each bot joins (bot i joins rooms i, i + R/K, ... modulo R).</summary>
    public int RoomsPerUser { get; init; } = 1;

    /// <summary>Messages per user per second, open loop.</summary>
    public double Rate { get; init; } = 1;

    /// <summary>
    /// The rates of a stepped run (<c>--rates 1,2,4</c>), each for <see cref="Duration"/> after its own warm-up,
    /// with the same logged-in, connected bots; empty means one step at <see cref="Rate"/>.
    /// </summary>
    public IReadOnlyList<double> Rates { get; init; } = [];

    /// <summary>A step is clean when its check passed, nothing failed, and its p99 latency is within this (null: no limit).</summary>
    public double? P99LimitMilliseconds { get; init; }

    /// <summary>Ends a stepped run after the first step that is not clean: the steps after it would only be slower.</summary>
    public bool StopWhenUnclean { get; init; }

    /// <summary>
    /// The first this many of <see cref="Rates"/> only warm the server up (JIT, thread pool, connections): run and
    /// reported like the others, but left out of the summary and never a reason to stop.
    /// </summary>
    public int WarmupSteps { get; init; }

    /// <summary>By default the simulation's rooms are deleted at the end, so they do not stay in everyone's room list.</summary>
    public bool KeepRooms { get; init; }

    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Sent and checked like the rest, but left out of the latency figures.</summary>
    public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Characters per message (the stamp included).</summary>
    public int MessageSize { get; init; } = 64;

    /// <summary>Each gap between a bot's messages is 1/rate times a random factor in [1 - jitter, 1 + jitter].</summary>
    public double Jitter { get; init; } = 0.5;

    public int Seed { get; init; } = 1;

    public string Password { get; init; } = "Sim-passw0rd";

    public string BotPrefix { get; init; } = "bot";

    public string RoomPrefix { get; init; } = "sim";

    /// <summary>Logins (password hashing costs the server CPU) in flight at once.</summary>
    public int LoginConcurrency { get; init; } = 4;

    /// <summary>Connection attempts (WebSocket + handshake + joins) in flight at once.</summary>
    public int ConnectConcurrency { get; init; } = 32;

    /// <summary>How long to wait after the send phase for outstanding acks and deliveries.</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(30);

    public bool CompareSequential { get; init; }

    /// <summary>Connect and join, then hold the connections open for the duration without sending (the idle-connections bench).</summary>
    public bool Idle { get; init; }

    /// <summary>Bots leave their rooms at the end, so later runs with other settings do not fan out to them.</summary>
    public bool LeaveRoomsAtEnd { get; init; } = true;

    /// <summary>How bots reach the hub (see <c>--transport</c>): by default the WebSocket directly, skipping negotiate, as most of a load run is connects.</summary>
    public string Transport { get; init; } = "websockets";

    public ChatProtocol Protocol { get; init; } = ChatProtocol.Json;

    public ChatConnectionOptions Connection() => CommonOptions.Connection(Transport, Protocol);

    /// <summary>The rate of each step: <see cref="Rates"/>, or the one <see cref="Rate"/>.</summary>
    public IReadOnlyList<double> StepRates => Rates.Count > 0 ? Rates : [Rate];

    /// <summary>How bots are dealt over <see cref="Servers"/> (see <see cref="SimulationDeal"/>).</summary>
    public SimulationDeal Deal { get; init; } = SimulationDeal.RoundRobin;

    /// <summary>Bot <paramref name="bot"/>'s own server, by <see cref="Deal"/>.</summary>
    public int HomeServerOf(int bot) => Deal switch
    {
        // Bot i's first room is i mod R, so the bots of one room are i, i + R, i + 2R, ...: the quotient tells them apart.
        SimulationDeal.Spread => bot / Rooms % Servers.Count,
        SimulationDeal.ByRoom => RoomsOf(bot)[0] % Servers.Count,
        _ => bot % Servers.Count,
    };

    public string BotName(int index) => $"{BotPrefix}{index:D4}";

    /// <summary>Tells this run's rooms from an earlier run's: a deleted room's name stays taken, so rooms removed at the end cannot be made again under the same name.</summary>
    public string RunTag { get; init; } = Guid.NewGuid().ToString("N")[..6];

    /// <summary>PREFIX-i with <c>--keep-rooms</c> (the same rooms every run); PREFIX-TAG-i otherwise, as they are deleted at the end.</summary>
    public string RoomName(int index) => KeepRooms ? $"{RoomPrefix}-{index}" : $"{RoomPrefix}-{RunTag}-{index}";

    /// <summary>The rooms bot <paramref name="bot"/> belongs to, spread evenly so every room gets members.</summary>
    public int[] RoomsOf(int bot)
    {
        var count = Math.Clamp(RoomsPerUser, 1, Rooms);
        var stride = Math.Max(1, Rooms / count);
        var rooms = new int[count];
        for (var j = 0; j < count; j++)
        {
            rooms[j] = (bot + (j * stride)) % Rooms;
        }

        return rooms.Distinct().ToArray();
    }

    public string? Validate() => this switch
    {
        { Users: < 1 or > 100_000 } => "--users must be between 1 and 100000",
        { Rooms: < 1 } => "--rooms must be at least 1",
        { RoomsPerUser: < 1 } => "--rooms-per-user must be at least 1",
        { Servers.Count: 0 } => "--server needs at least one URL",
        { Idle: false } when StepRates.Any(r => r is <= 0 or > 1000 || double.IsNaN(r)) => "--rate and --rates must be above 0 and at most 1000 messages per user per second",
        { P99LimitMilliseconds: <= 0 } => "--p99-limit must be positive",
        { WarmupSteps: < 0 } => "--warmup-steps must not be negative",
        _ when WarmupSteps > 0 && WarmupSteps >= Rates.Count => "--warmup-steps needs more --rates than warm-up steps",
        { MessageSize: < 48 or > 4000 } => "--message-size must be between 48 and 4000 characters",
        { Jitter: < 0 or > 1 } => "--jitter must be between 0 and 1",
        { LoginConcurrency: < 1 } or { ConnectConcurrency: < 1 } => "concurrency limits must be at least 1",
        _ when Duration <= TimeSpan.Zero => "--duration must be positive",
        _ when ConnectionProblem() is { } problem => problem,
        _ => null,
    };

    private string? ConnectionProblem() => ChatConnectionOptions.TryParseTransport(Transport, out var transport)
        ? (transport with { Protocol = Protocol }).Problem()
        : "--transport must be auto, websockets, sse or longpolling";
}

/// <summary>
/// How a simulation's bots are dealt over several servers. In a cluster it decides whether a room's senders share
/// a node: each room's row lock serializes its appends, across nodes too, so the two ends measure different things.
/// </summary>
public enum SimulationDeal
{
    /// <summary>Bot i to server i mod N. Whether a room's members share a server then depends on the counts (10 rooms on 2 nodes: they do; on 3: they do not).</summary>
    RoundRobin,

    /// <summary>Every room's members over every server, evenly: each room is written from every node.</summary>
    Spread,

    /// <summary>All members of a room (by their first room) on one server: each room is written from one node.</summary>
    ByRoom,
}
