using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace ChatApp.Browser.Tests;

/// <summary>
/// The real server on Kestrel at 127.0.0.1, with its database, keys and logs in a temporary folder.
/// It can be stopped and started again on the same port and files, as a restart in production would.
/// </summary>
public sealed class ChatHost : IAsyncDisposable
{
    private readonly string _dataDirectory;
    private ServerFactory? _factory;

    private readonly IReadOnlyDictionary<string, string> _settings;

    private ChatHost(string dataDirectory, IReadOnlyDictionary<string, string>? settings)
    {
        _dataDirectory = dataDirectory;
        _settings = settings ?? new Dictionary<string, string>();
    }

    /// <summary>The server's address, for example http://127.0.0.1:41234; the same across restarts.</summary>
    public Uri BaseAddress { get; private set; } = null!; // set by StartAsync before the host is handed out

    /// <param name="settings">Configuration on top of appsettings.json (e.g. short token lifetimes).</param>
    public static async Task<ChatHost> StartAsync(IReadOnlyDictionary<string, string>? settings = null)
    {
        var directory = Directory.CreateTempSubdirectory("chatapp-browser-");
        var host = new ChatHost(directory.FullName, settings);
        await host.StartOnAsync(port: 0);
        return host;
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

    /// <summary>Starts a new server on the same port and the same database file.</summary>
    public Task RestartAsync() => StartOnAsync(BaseAddress.Port);

    private Task StartOnAsync(int port)
    {
        var factory = new ServerFactory(_dataDirectory, _settings);
        factory.UseKestrel(options => options.Listen(IPAddress.Loopback, port));
        factory.StartServer();
        _factory = factory;
        var address = factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.Single()
            ?? throw new InvalidOperationException("Kestrel did not report the address it listens on.");
        BaseAddress = new Uri(address.Replace("[::1]", "127.0.0.1", StringComparison.Ordinal));
        return Task.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A log file still being closed: the OS temp folder cleans up eventually.
        }
    }

    private sealed class ServerFactory(string dataDirectory, IReadOnlyDictionary<string, string> settings) : WebApplicationFactory<Program>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseSetting("Storage:DatabasePath", Path.Combine(dataDirectory, "chatapp.db"));
            builder.UseSetting("Storage:KeysPath", Path.Combine(dataDirectory, "keys"));
            builder.UseSetting("Auth:SigningKeyPath", Path.Combine(dataDirectory, "jwt-signing.key"));
            foreach (var (key, value) in settings)
            {
                builder.UseSetting(key, value);
            }
            // Not UseSetting: it gives parent sections an empty value, which Serilog takes for a sink name.
            builder.ConfigureAppConfiguration(config => config.AddInMemoryCollection(new Dictionary<string, string?> { ["Serilog:WriteTo:File:Args:path"] = Path.Combine(dataDirectory, "logs", "chatapp-.json") }));
        }
    }
}
