using ChatApp.Client;

namespace ChatApp.Cli.Simulate;

/// <summary>What <c>chatapp simulate</c> was asked to do; also written into the report.</summary>
public sealed record SimulationOptions
{
    public required Uri Server { get; init; }

    public int Users { get; init; } = 10;

    public int Rooms { get; init; } = 2;

    /// <summary>How many of the rooms each bot joins (bot i joins rooms i, i + R/K, ... modulo R).</summary>
    public int RoomsPerUser { get; init; } = 1;

    /// <summary>Messages per user per second, open loop.</summary>
    public double Rate { get; init; } = 1;

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

    public string BotName(int index) => $"{BotPrefix}{index:D4}";

    public string RoomName(int index) => $"{RoomPrefix}-{index}";

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
        { Idle: false, Rate: <= 0 or > 1000 } => "--rate must be above 0 and at most 1000 messages per user per second",
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
