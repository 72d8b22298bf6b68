using System.Net.Http.Headers;
using System.Net.Http.Json;
using ChatApp.Client;
using ChatApp.Contracts;
using ChatApp.Tests;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace ChatApp.Cli.Tests;

/// <summary>
/// A real ChatApp server over a SQLite file in a temp folder: in memory (TestServer), or on a loopback
/// port for tests that run the CLI as a real process. Restartable on the same database and keys.
/// </summary>
public sealed class ChatTestServer : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);
    public const string Password = "correct-horse-1";

    private readonly bool _kestrel;
    private readonly bool _limits;
    private WebApplicationFactory<global::Program> _factory;

    private readonly IDictionary<string, string> _settings;

    /// <param name="limits">False for load tests, which send faster than the rate limits let one user or address.</param>
    public ChatTestServer(bool kestrel = false, bool limits = true, IDictionary<string, string>? settings = null)
    {
        _kestrel = kestrel;
        _limits = limits;
        _settings = settings ?? new Dictionary<string, string>();
        Directory = Path.Combine(Path.GetTempPath(), "chatapp-cli-tests", Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(Directory);
        _factory = Create();
    }

    public string Directory { get; }

    public Uri BaseAddress { get; private set; } = new("http://localhost");

    public async Task RestartAsync()
    {
        await _factory.DisposeAsync();
        _factory = Create();
    }

    private WebApplicationFactory<global::Program> Create()
    {
        var factory = new WebApplicationFactory<global::Program>().WithWebHostBuilder(web =>
        {
            web.UseSetting("Storage:DatabasePath", Path.Combine(Directory, "chat.db"));
            web.UseSetting("Storage:KeysPath", Path.Combine(Directory, "keys"));
            web.UseSetting("Auth:SigningKeyPath", Path.Combine(Directory, "jwt-signing.key"));
            // Not UseSetting: it gives parent sections an empty value, which Serilog takes for a sink name.
            web.ConfigureAppConfiguration(config => config.AddInMemoryCollection(new Dictionary<string, string?> { ["Serilog:WriteTo:File:Args:path"] = Path.Combine(Directory, "logs", "chatapp-.json") }));
            // Kestrel's default is port 5000, which a developer's own server may hold: any free loopback port instead.
            web.UseSetting("Urls", "http://127.0.0.1:0");
            if (!_limits)
            {
                web.UseSetting("Limits:Enabled", "false");
            }

            foreach (var (key, value) in _settings)
            {
                web.UseSetting(key, value);
            }
        });
        if (_kestrel)
        {
            factory.UseKestrel(0);
        }

        factory.StartServer();
        if (_kestrel)
        {
            var addresses = factory.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>();
            BaseAddress = new Uri(addresses.Addresses.First());
        }

        return factory;
    }

    /// <summary>The CLI's view of the world: redirected streams, a session file in the temp folder, and this server.</summary>
    public CliEnvironment Environment(TextReader input, TextWriter output, TextWriter error, string sessionName = "session.json", string? password = Password) => new()
    {
        In = input,
        Out = output,
        Error = error,
        SessionPath = Path.Combine(Directory, sessionName),
        GetVariable = name => name == "CHATAPP_PASSWORD" ? password : null,
        // Read on every connect, so a reconnect after RestartAsync reaches the new host.
        ConfigureHttp = _kestrel ? null : http => InMemoryTransport.Route(http, () => _factory.Server),
        CreateHttpHandler = _kestrel ? null : () => _factory.Server.CreateHandler(),
        ReconnectDelays = [TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2)],
    };

    public HttpClient CreateHttpClient(string? token = null)
    {
        var http = _kestrel ? new HttpClient { BaseAddress = BaseAddress } : _factory.CreateClient();
        if (token is not null)
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return http;
    }

    public async Task<string> TokenForAsync(string userName)
    {
        using var http = CreateHttpClient();
        return (await new ChatAccounts(http).LoginOrRegisterAsync(userName, Password, TestContext.Current.CancellationToken)).AccessToken;
    }

    /// <summary>A started hub connection as <paramref name="userName"/>, joined to <paramref name="rooms"/>.</summary>
    public async Task<ChatConnection> ConnectAsync(string userName, params string[] rooms)
    {
        var token = await TokenForAsync(userName);
        var connection = new ChatConnection(BaseAddress, _ => ValueTask.FromResult<string?>(token), ChatConnectionOptions.WebSocketsDirect with
        {
            ReconnectDelays = [TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(1)],
            ConfigureHttp = _kestrel ? null : http => InMemoryTransport.Route(http, () => _factory.Server),
        });
        await connection.StartAsync(TestContext.Current.CancellationToken).WaitAsync(Timeout, TestContext.Current.CancellationToken);
        foreach (var room in rooms)
        {
            await connection.JoinRoomAsync(room, TestContext.Current.CancellationToken).WaitAsync(Timeout, TestContext.Current.CancellationToken);
        }

        return connection;
    }

    public async Task<IReadOnlyList<ChatMessage>> HistoryAsync(string token, string room)
    {
        using var http = CreateHttpClient(token);
        var page = await http.GetFromJsonAsync<HistoryPage>($"{ChatPaths.Rooms}/{room}/messages?limit=200", TestContext.Current.CancellationToken);
        return page!.Messages; // a 200 always has a body
    }

    public async Task PostAsync(string token, string room, string text)
    {
        using var http = CreateHttpClient(token);
        using var response = await http.PostAsJsonAsync($"{ChatPaths.Rooms}/{room}/messages",
            new PostMessageRequest(text, Guid.NewGuid().ToString("N")), TestContext.Current.CancellationToken);
        response.EnsureSuccessStatusCode();
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
            // A file still held open only leaves a temp folder behind.
        }
    }
}
