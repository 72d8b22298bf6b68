using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace ChatApp.Tests;

/// <summary>
/// The one test host, linked into every test project (ChatApp.Tests, ChatApp.Cli.Tests,
/// ChatApp.Browser.Tests): the real server over a SQLite file, keys and logs in a temp folder, in memory
/// (TestServer) or on a loopback port (Kestrel) for real sockets, a real CLI process or a browser.
/// Stoppable and restartable on the same database, keys and port, as a restart in production would be.
/// Each project's host adds its own helpers on top (connections, the CLI's environment).
/// </summary>
public class ChatTestHost : IAsyncDisposable
{
    /// <summary>The bound for every wait in the tests: generous, because four builds may share two cores.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);
    public const string Password = "correct-horse-1";

    private readonly Dictionary<string, string> _settings;
    private readonly Action<IServiceCollection>? _services;
    private WebApplicationFactory<Program>? _factory;

    /// <param name="settings">Configuration over appsettings.json (and over the temp-folder paths below).</param>
    /// <param name="kestrel">Listen on a real loopback port (for tests that need real sockets) instead of in memory.</param>
    /// <param name="limits">False for tests that send faster than the rate limits let one user or address.</param>
    /// <param name="services">Extra services for the host, such as an EF Core interceptor that injects a failure.</param>
    public ChatTestHost(IDictionary<string, string>? settings = null, bool kestrel = false, bool limits = true, Action<IServiceCollection>? services = null)
    {
        Kestrel = kestrel;
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
        if (!limits)
        {
            _settings["Limits:Enabled"] = "false";
        }

        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            _settings[key] = value;
        }

        Start(port: 0);
    }

    public string Directory { get; }

    public string DatabasePath => Path.Combine(Directory, "chat.db");

    public bool Kestrel { get; }

    /// <summary>Where the server listens: a loopback URL with Kestrel (the same across restarts), http://localhost in memory.</summary>
    public Uri BaseAddress { get; private set; } = new("http://localhost");

    /// <summary>The running host's services, for tests that drive a component directly.</summary>
    public IServiceProvider Services => Factory.Services;

    /// <summary>The in-memory server, for raw WebSocket clients and in-memory routing (only without Kestrel).</summary>
    public TestServer TestServer => Factory.Server;

    private WebApplicationFactory<Program> Factory => _factory ?? throw new InvalidOperationException("The server is stopped.");

    public HttpClient CreateHttpClient() => Kestrel ? new HttpClient { BaseAddress = BaseAddress } : Factory.CreateClient();

    /// <summary>An HttpClient that sends <paramref name="token"/> as a bearer token.</summary>
    public HttpClient CreateHttpClient(string? token)
    {
        var http = CreateHttpClient();
        if (token is not null)
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return http;
    }

    /// <summary>Stops the server as a shutdown would: connections drop, acknowledged messages are on disk.</summary>
    public async Task StopAsync()
    {
        if (_factory is { } factory)
        {
            _factory = null;
            await factory.DisposeAsync();
        }
    }

    /// <summary>Stops the server (if running) and starts a new one on the same port, database and keys.</summary>
    public async Task RestartAsync()
    {
        await StopAsync();
        Start(Kestrel ? BaseAddress.Port : 0);
    }

    private void Start(int port)
    {
        // Not UseSetting: its values give parent sections an empty value, which Serilog's reader takes for a sink name.
        var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(web => web
            .ConfigureAppConfiguration(config => config.AddInMemoryCollection(_settings!))
            .ConfigureServices(services => _services?.Invoke(services)));
        if (Kestrel)
        {
            factory.UseKestrel(options => options.Listen(IPAddress.Loopback, port));
        }

        factory.StartServer(); // now, so the database exists before the first request
        _factory = factory;
        if (Kestrel)
        {
            var address = factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.Single()
                ?? throw new InvalidOperationException("Kestrel did not report the address it listens on.");
            BaseAddress = new Uri(address.Replace("[::1]", "127.0.0.1", StringComparison.Ordinal));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open (logs) only leaves a temp folder behind.
        }

        GC.SuppressFinalize(this);
    }
}
