using System.Net.Http.Headers;
using System.Net.Http.Json;
using ChatApp.Client;
using ChatApp.Contracts;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace ChatApp.Tests;

/// <summary>
/// A real ChatApp server in memory (TestServer) over a real SQLite file in a temp folder. Restartable:
/// <see cref="RestartAsync"/> stops the host and starts a new one on the same database and keys.
/// </summary>
public sealed class ChatServer : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);
    public const string Password = "correct-horse-1";

    private readonly Dictionary<string, string> _settings;
    private WebApplicationFactory<Program> _factory;

    private readonly bool _kestrel;
    private readonly Action<IServiceCollection>? _services;

    /// <param name="kestrel">Listen on a real loopback port (for tests that need real sockets) instead of in memory.</param>
    /// <param name="services">Extra services for the host, such as an EF Core interceptor that injects a failure.</param>
    public ChatServer(IDictionary<string, string>? settings = null, bool kestrel = false, Action<IServiceCollection>? services = null)
    {
        _kestrel = kestrel;
        _services = services;
        Directory = Path.Combine(Path.GetTempPath(), "chatapp-tests", Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(Directory);
        _settings = new Dictionary<string, string>
        {
            ["Storage:DatabasePath"] = DatabasePath,
            ["Urls"] = "http://127.0.0.1:0", // with Kestrel, any free loopback port rather than the default 5000
            ["Storage:KeysPath"] = Path.Combine(Directory, "keys"),
            ["Auth:SigningKeyPath"] = Path.Combine(Directory, "jwt-signing.key"),
            ["Serilog:WriteTo:File:Args:path"] = Path.Combine(Directory, "logs", "chatapp-.json"),
            ["Serilog:MinimumLevel:Override:Serilog.AspNetCore.RequestLoggingMiddleware"] = "Warning",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            _settings[key] = value;
        }

        _factory = Create();
    }

    public string Directory { get; }

    public string DatabasePath => Path.Combine(Directory, "chat.db");

    /// <summary>The running host's services, for tests that drive a component directly.</summary>
    public IServiceProvider Services => _factory.Services;

    /// <summary>Where the server listens: a loopback URL with Kestrel, http://localhost in memory.</summary>
    public Uri BaseAddress { get; private set; } = new("http://localhost");

    public HttpClient CreateHttpClient() => _kestrel ? new HttpClient { BaseAddress = BaseAddress } : _factory.CreateClient();

    public async Task RestartAsync()
    {
        await _factory.DisposeAsync();
        _factory = Create();
    }

    private WebApplicationFactory<Program> Create()
    {
        // Not UseSetting: its values give parent sections an empty value, which Serilog's reader takes for a sink name.
        var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(web => web
            .ConfigureAppConfiguration(config => config.AddInMemoryCollection(_settings!))
            .ConfigureServices(services => _services?.Invoke(services)));
        if (_kestrel)
        {
            factory.UseKestrel(0);
        }

        factory.StartServer(); // now, so the database exists before the first request
        if (_kestrel)
        {
            var addresses = factory.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>();
            BaseAddress = new Uri(addresses.Addresses.First());
        }

        return factory;
    }

    /// <summary>Registers <paramref name="userName"/> and returns a bearer token for it.</summary>
    public async Task<string> TokenForAsync(string userName)
    {
        using var http = CreateHttpClient();
        var accounts = new ChatAccounts(http);
        var login = await accounts.LoginOrRegisterAsync(userName, Password, TestContext.Current.CancellationToken);
        return login.AccessToken;
    }

    /// <summary>Registers <paramref name="userName"/> if needed and logs in: access and refresh tokens.</summary>
    public async Task<LoginResponse> LoginAsync(string userName)
    {
        using var http = CreateHttpClient();
        return await new ChatAccounts(http).LoginOrRegisterAsync(userName, Password, TestContext.Current.CancellationToken);
    }

    /// <summary>An HttpClient that sends <paramref name="token"/> as a bearer token.</summary>
    public HttpClient CreateHttpClient(string token)
    {
        var http = CreateHttpClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http;
    }

    /// <summary>A started hub connection through the in-memory TestServer (WebSockets unless <paramref name="options"/> say otherwise).</summary>
    public async Task<ChatConnection> ConnectAsync(string token, TimeSpan[]? reconnectDelays = null, ChatConnectionOptions? options = null)
    {
        var connection = CreateConnection(token, reconnectDelays, options);
        await connection.StartAsync(TestContext.Current.CancellationToken).WaitAsync(Timeout, TestContext.Current.CancellationToken);
        return connection;
    }

    /// <param name="options">
    /// Transport and protocol; by default the WebSocket directly, as the simulator connects. Their
    /// <see cref="ChatConnectionOptions.ConfigureHttp"/> runs after the in-memory routing, so it can wrap it.
    /// </param>
    public ChatConnection CreateConnection(string token, TimeSpan[]? reconnectDelays = null, ChatConnectionOptions? options = null) =>
        CreateConnection(_ => ValueTask.FromResult<string?>(token), reconnectDelays, options);

    /// <summary>A hub connection whose token comes from <paramref name="tokens"/> on every (re)connect.</summary>
    public ChatConnection CreateConnection(Func<CancellationToken, ValueTask<string?>> tokens, TimeSpan[]? reconnectDelays = null, ChatConnectionOptions? options = null)
    {
        options ??= ChatConnectionOptions.WebSocketsDirect;
        var configure = options.ConfigureHttp;
        return new(BaseAddress, tokens, options with
        {
            ReconnectDelays = reconnectDelays ?? options.ReconnectDelays,
            ConfigureHttp = http =>
            {
                if (!_kestrel)
                {
                    InMemoryTransport.Route(http, () => _factory.Server);
                }

                configure?.Invoke(http);
            },
        });
    }

    /// <summary>The in-memory server, for raw WebSocket clients (only without Kestrel).</summary>
    public Microsoft.AspNetCore.TestHost.TestServer TestServer => _factory.Server;

    /// <summary>A user with a token and a started connection, joined to <paramref name="rooms"/>, recording every event.</summary>
    public async Task<ChatUserSession> UserAsync(string userName, params string[] rooms)
    {
        var token = await TokenForAsync(userName);
        var connection = await ConnectAsync(token);
        var events = new EventRecorder();
        connection.Subscribe(events);
        foreach (var room in rooms)
        {
            await connection.JoinRoomAsync(room, TestContext.Current.CancellationToken);
        }

        return new ChatUserSession(userName, token, connection, events);
    }

    public async Task<HttpResponseMessage> PostJsonAsync<T>(string path, T body, string? token = null)
    {
        using var http = token is null ? CreateHttpClient() : CreateHttpClient(token);
        return await http.PostAsJsonAsync(path, body, TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await _factory.DisposeAsync();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open (logs) only leaves a temp folder behind.
        }
    }
}

public sealed record ChatUserSession(string Name, string Token, ChatConnection Connection, EventRecorder Events) : IAsyncDisposable
{
    public ValueTask DisposeAsync() => Connection.DisposeAsync();
}
