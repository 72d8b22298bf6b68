using ChatApp.Client;
using Microsoft.AspNetCore.Http.Connections.Client;

namespace ChatApp.Cli;

/// <summary>
/// Everything a command touches outside itself: the console streams, environment variables, where the
/// session lives, and how sockets and HTTP requests reach the server. The real process uses
/// <see cref="FromProcess"/>; tests pass redirected streams and an in-memory server. A record, so a test can
/// change one part of an environment with <c>with</c> and keep the rest.
/// </summary>
public sealed record CliEnvironment
{
    public required TextReader In { get; init; }

    public required TextWriter Out { get; init; }

    public required TextWriter Error { get; init; }

    /// <summary>True when stdin is a terminal: a password can be read without echo.</summary>
    public bool InteractiveInput { get; init; }

    /// <summary>True when stderr is a terminal: progress rewrites one line instead of adding lines.</summary>
    public bool ProgressInPlace { get; init; }

    /// <summary>
    /// True when stdin and stdout are the same terminal, which shows what is typed: the chat erases a sent line's
    /// echo, since the message comes back from the log with its seq and time.
    /// </summary>
    public bool EchoesInput { get; init; }

    /// <summary>The terminal's width in columns (a long typed line wraps onto several rows).</summary>
    public Func<int> TerminalWidth { get; init; } = () => 80;

    /// <summary>The clock and local time zone that message times are shown in.</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;

    public Func<string, string?> GetVariable { get; init; } = Environment.GetEnvironmentVariable;

    /// <summary>The file holding the session (server, user, token); readable only by its owner.</summary>
    public required string SessionPath { get; init; }

    /// <summary>Adjusts every hub connection's HTTP options; tests route them to an in-memory server. Null means real sockets.</summary>
    public Action<HttpConnectionOptions>? ConfigureHttp { get; init; }

    /// <summary>Creates the HTTP handler for REST calls; null means a pooled <see cref="SocketsHttpHandler"/>.</summary>
    public Func<HttpMessageHandler>? CreateHttpHandler { get; init; }

    /// <summary>The waits between reconnect attempts; null means the client library's defaults.</summary>
    public TimeSpan[]? ReconnectDelays { get; init; }

    public static CliEnvironment FromProcess() => new()
    {
        In = Console.In,
        Out = Console.Out,
        Error = Console.Error,
        InteractiveInput = !Console.IsInputRedirected,
        ProgressInPlace = !Console.IsErrorRedirected,
        EchoesInput = !Console.IsInputRedirected && !Console.IsOutputRedirected,
        TerminalWidth = ConsoleWidth,
        SessionPath = DefaultSessionPath(Environment.GetEnvironmentVariable),
    };

    private static int ConsoleWidth()
    {
        try
        {
            return Console.WindowWidth;
        }
        catch (IOException)
        {
            return 80; // no terminal after all
        }
    }

    /// <summary>$CHATAPP_SESSION, else $XDG_CONFIG_HOME/chatapp/session.json, else ~/.config/chatapp/session.json.</summary>
    public static string DefaultSessionPath(Func<string, string?> getVariable)
    {
        if (getVariable("CHATAPP_SESSION") is { Length: > 0 } explicitPath)
        {
            return explicitPath;
        }

        var configHome = getVariable("XDG_CONFIG_HOME") is { Length: > 0 } xdg
            ? xdg
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".config");
        return Path.Combine(configHome, "chatapp", "session.json");
    }

    /// <summary>A hub connection with the tokens of <paramref name="accessToken"/>, the transport and protocol of <paramref name="options"/>, and this environment's reconnect waits and routing.</summary>
    public ChatConnection CreateConnection(Uri server, Func<CancellationToken, ValueTask<string?>> accessToken, ChatConnectionOptions options) =>
        new(server, accessToken, options with { ConfigureHttp = ConfigureHttp, ReconnectDelays = ReconnectDelays });

    public HttpClient CreateHttpClient(Uri server, int maxConnections = 16)
    {
        var handler = CreateHttpHandler?.Invoke() ?? new SocketsHttpHandler
        {
            MaxConnectionsPerServer = maxConnections,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            ConnectTimeout = TimeSpan.FromSeconds(10),
        };
        return new HttpClient(handler) { BaseAddress = server, Timeout = TimeSpan.FromSeconds(60) };
    }
}
