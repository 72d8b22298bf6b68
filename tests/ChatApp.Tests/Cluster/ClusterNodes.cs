using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using ChatApp.Client;
using ChatApp.Contracts;

namespace ChatApp.Tests.Cluster;

/// <summary>
/// A cluster as real processes: its own Redis (scripts/redis.sh, in a temp folder, on a free port), a fresh
/// database on the run's PostgreSQL (<see cref="PostgresServer"/>), and nodes of <c>ChatApp.Server.dll</c>
/// (<see cref="ServerProcess"/>) sharing both and one signing key file. Everything it started is stopped on dispose.
/// </summary>
public sealed class ClusterNodes : IAsyncDisposable
{
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "chatapp-tests", "cluster-" + Guid.NewGuid().ToString("N"));
    private readonly Dictionary<string, string> _storage;
    private readonly List<ServerProcess?> _nodes = [];
    private readonly IReadOnlyDictionary<string, string> _settings;

    private ClusterNodes(Dictionary<string, string> storage, int redisPort, IReadOnlyDictionary<string, string>? settings)
    {
        _storage = storage;
        RedisPort = redisPort;
        _settings = settings ?? new Dictionary<string, string>();
    }

    public string ConnectionString => _storage["ConnectionStrings:Postgres"];

    public int RedisPort { get; }

    public string RedisFolder => Path.Combine(_folder, "redis");

    public ServerProcess Node(int index) => _nodes[index] ?? throw new InvalidOperationException($"Node {index} is not running.");

    /// <summary>
    /// Starts Redis and <paramref name="count"/> nodes (the first alone, so it applies the migrations);
    /// <paramref name="settings"/> (environment variables) add to or override every node's.
    /// </summary>
    public static async Task<ClusterNodes> StartAsync(
        PostgresServer postgres, int count, CancellationToken cancellationToken, IReadOnlyDictionary<string, string>? settings = null)
    {
        var storage = await postgres.NewDatabaseAsync(cancellationToken);
        var cluster = new ClusterNodes(storage, FreePort(), settings);
        try
        {
            await cluster.StartRedisAsync(cancellationToken);
            for (var i = 0; i < count; i++)
            {
                await cluster.StartNodeAsync(cancellationToken);
            }
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }

        return cluster;
    }

    public async Task<ServerProcess> StartNodeAsync(CancellationToken cancellationToken)
    {
        var index = _nodes.Count;
        var environment = new Dictionary<string, string>
        {
            ["Storage__Provider"] = "Postgres",
            ["ConnectionStrings__Postgres"] = _storage["ConnectionStrings:Postgres"],
            ["ConnectionStrings__Redis"] = $"127.0.0.1:{RedisPort}",
            ["Cluster__NodeName"] = $"node{index + 1}",
            ["Cluster__HeartbeatSeconds"] = "1",
            ["Cluster__NodeTimeoutSeconds"] = "3",
            ["Auth__SigningKeyPath"] = Path.Combine(_folder, "jwt-signing.key"),
            ["Limits__Enabled"] = "false",
        };
        foreach (var (key, value) in _settings)
        {
            environment[key] = value;
        }

        var node = ServerProcess.Start(Path.Combine(_folder, $"node{index + 1}"), environment);
        _nodes.Add(node);
        await node.WaitUntilAnsweringAsync("/healthz/ready", StartTimeout, cancellationToken);
        return node;
    }

    /// <summary>kill -9: no shutdown, no goodbye to Redis; its heartbeat just stops.</summary>
    public async Task KillAsync(int index)
    {
        var node = Node(index);
        _nodes[index] = null;
        await node.DisposeAsync();
    }

    public Task StartRedisAsync(CancellationToken cancellationToken) =>
        RunScriptAsync("redis.sh", cancellationToken, "start", "--port", RedisPort.ToString(CultureInfo.InvariantCulture), "--data", RedisFolder);

    public Task StopRedisAsync(CancellationToken cancellationToken) => RunScriptAsync("redis.sh", cancellationToken, "stop", "--data", RedisFolder);

    /// <summary>Runs redis-cli against this cluster's Redis.</summary>
    public Task<string> RedisCliAsync(CancellationToken cancellationToken, params string[] arguments) =>
        RunAsync("redis-cli", ["-p", RedisPort.ToString(CultureInfo.InvariantCulture), .. arguments], cancellationToken);

    /// <summary>A user registered and logged in through <paramref name="node"/>: an access token.</summary>
    public static async Task<string> LoginAsync(ServerProcess node, string userName, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = node.Address };
        return (await new ChatAccounts(http).LoginOrRegisterAsync(userName, ChatTestHost.Password, cancellationToken)).AccessToken;
    }

    /// <summary>A user registered and logged in through <paramref name="node"/>, connected to it by WebSocket.</summary>
    public static async Task<Member> ConnectAsync(ServerProcess node, string userName, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = node.Address };
        var login = await new ChatAccounts(http).LoginOrRegisterAsync(userName, ChatTestHost.Password, cancellationToken);
        return (await ConnectAsync(node, userName, login.AccessToken, cancellationToken)) with { RefreshToken = login.RefreshToken };
    }

    /// <summary>Connects with a token issued anywhere (another node, say).</summary>
    public static async Task<Member> ConnectAsync(ServerProcess node, string userName, string accessToken, CancellationToken cancellationToken)
    {
        var connection = new ChatConnection(node.Address, _ => ValueTask.FromResult<string?>(accessToken), ChatConnectionOptions.WebSocketsDirect);
        var events = new EventRecorder();
        connection.Subscribe(events);
        await connection.StartAsync(cancellationToken);
        return new Member(userName, accessToken, connection, events);
    }

    private async Task RunScriptAsync(string script, CancellationToken cancellationToken, params string[] arguments) =>
        await RunAsync("bash", [RepositoryFiles.PathOf("scripts", script), .. arguments], cancellationToken);

    private static async Task<string> RunAsync(string file, string[] arguments, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not run {file}.");
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var errors = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken).WaitAsync(TimeSpan.FromMinutes(3), cancellationToken);
        return process.ExitCode == 0 ? await output
            : throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} failed ({process.ExitCode}): {await errors}");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in _nodes.OfType<ServerProcess>())
        {
            await node.DisposeAsync();
        }

        await StopRedisAsync(CancellationToken.None);
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Only a temp folder is left behind.
        }
    }
}

/// <summary>One connected user of a cluster test, and what their connection received.</summary>
public sealed record Member(string Name, string AccessToken, ChatConnection Connection, EventRecorder Events) : IAsyncDisposable
{
    public string? RefreshToken { get; init; }

    /// <summary>The seqs of <paramref name="room"/> this connection received live, in arrival order.</summary>
    public IReadOnlyList<long> Seqs(string room) => [.. Events.Entries().Where(m => m.Room == room).Select(m => m.Seq)];

    public ValueTask DisposeAsync() => Connection.DisposeAsync();
}
