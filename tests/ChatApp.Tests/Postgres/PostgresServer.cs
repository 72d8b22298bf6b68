using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

[assembly: AssemblyFixture(typeof(ChatApp.Tests.PostgresServer))]

namespace ChatApp.Tests;

/// <summary>
/// One PostgreSQL for the whole test run, started through <c>scripts/postgres.sh</c> (which installs it from
/// Debian when missing) in a temp folder on a free loopback port, and stopped when the run ends, whether
/// tests passed or not. It starts on the first test that asks for a database, so a run filtered to SQLite
/// tests never pays for it. Each test server gets a database of its own.
/// </summary>
public sealed class PostgresServer : IAsyncLifetime
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3); // a first run may apt-get install it
    private readonly SemaphoreSlim _starting = new(1, 1);
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "chatapp-tests", "postgres-" + Guid.NewGuid().ToString("N"));
    private string? _adminConnection;
    private int _databases;

    /// <summary>How long starting PostgreSQL took in this run (zero until it starts), for the run's cost.</summary>
    public TimeSpan StartTime { get; private set; }

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    /// <summary>
    /// A new, empty database for one test server, and the settings that put a ChatTestHost on it. The server
    /// applies its migrations to it at start-up, as a production server does on its first start.
    /// </summary>
    public async Task<Dictionary<string, string>> NewDatabaseAsync(CancellationToken cancellationToken)
    {
        var admin = await StartAsync(cancellationToken);
        var name = $"chat_{Environment.ProcessId}_{Interlocked.Increment(ref _databases)}";
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync(cancellationToken);
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await create.ExecuteNonQueryAsync(cancellationToken);
        }

        return new Dictionary<string, string>
        {
            ["Storage:Provider"] = "Postgres",
            ["ConnectionStrings:Postgres"] = new NpgsqlConnectionStringBuilder(admin) { Database = name }.ConnectionString,
        };
    }

    private async Task<string> StartAsync(CancellationToken cancellationToken)
    {
        await _starting.WaitAsync(cancellationToken);
        try
        {
            if (_adminConnection is null)
            {
                var started = Stopwatch.GetTimestamp();
                var output = await RunScriptAsync(cancellationToken, "start", "--data", _folder, "--port", FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture), "--no-fsync");
                var connection = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Last();
                _adminConnection = new NpgsqlConnectionStringBuilder(connection) { Database = "postgres", Pooling = false }.ConnectionString;
                StartTime = Stopwatch.GetElapsedTime(started);
            }

            return _adminConnection;
        }
        finally
        {
            _starting.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_adminConnection is not null)
        {
            await RunScriptAsync(CancellationToken.None, "stop", "--data", _folder);
        }

        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or DirectoryNotFoundException)
        {
            // Only a temp folder is left behind.
        }

        _starting.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task<string> RunScriptAsync(CancellationToken cancellationToken, params string[] arguments)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(RepositoryFiles.PathOf("scripts", "postgres.sh"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not run scripts/postgres.sh.");
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var errors = process.StandardError.ReadToEndAsync(cancellationToken);
        try
        {
            await process.WaitForExitAsync(cancellationToken).WaitAsync(StartTimeout, cancellationToken);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"scripts/postgres.sh {string.Join(' ', arguments)} took longer than {StartTimeout}.");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"scripts/postgres.sh {string.Join(' ', arguments)} failed ({process.ExitCode}): {await errors}");
        }

        return await output;
    }
}
