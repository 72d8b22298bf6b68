using System.Net;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ChatApp.Client.Transport;

/// <summary>
/// Opens SignalR connections over a bare WebSocket. It stands in for the
/// Microsoft.AspNetCore.SignalR.Client package (WithUrl), which our feed cannot restore.
/// </summary>
public sealed class WebSocketConnectionFactory : IConnectionFactory
{
    // The ping interval SignalR's own keep-alive uses (HubConnection.KeepAliveInterval); WebSocket
    // pings at the same pace keep proxies and NATs from dropping a quiet socket. Liveness itself is
    // judged by HubConnection's ServerTimeout, not by these pings.
    private static readonly TimeSpan WebSocketKeepAliveInterval = TimeSpan.FromSeconds(15);

    private readonly Func<CancellationToken, ValueTask<string?>>? _accessTokenProvider;
    private readonly Func<Uri, CancellationToken, Task<WebSocket>> _connect;
    private readonly ILoggerFactory _loggerFactory;

    /// <param name="accessTokenProvider">
    /// Called on every connect, so a reconnect presents a fresh token. Null or empty means no token.
    /// </param>
    /// <param name="connect">
    /// Opens the socket; defaults to <see cref="ClientWebSocket"/>. Tests pass
    /// <c>TestServer.CreateWebSocketClient().ConnectAsync</c> to connect in memory.
    /// </param>
    /// <param name="loggerFactory">For the connections' diagnostics; they never log the URL, which holds the token.</param>
    public WebSocketConnectionFactory(
        Func<CancellationToken, ValueTask<string?>>? accessTokenProvider = null,
        Func<Uri, CancellationToken, Task<WebSocket>>? connect = null,
        ILoggerFactory? loggerFactory = null)
    {
        _accessTokenProvider = accessTokenProvider;
        _connect = connect ?? ConnectClientWebSocketAsync;
        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
    }

    public async ValueTask<ConnectionContext> ConnectAsync(EndPoint endpoint, CancellationToken cancellationToken = default)
    {
        if (endpoint is not UriEndPoint { Uri: var hubUrl })
        {
            throw new NotSupportedException($"{nameof(WebSocketConnectionFactory)} needs a {nameof(UriEndPoint)}, not {endpoint.GetType().Name}.");
        }

        var token = _accessTokenProvider is null ? null : await _accessTokenProvider(cancellationToken);
        var socketUrl = BuildSocketUrl(hubUrl, token);

        var socket = await _connect(socketUrl, cancellationToken);
        return new WebSocketConnection(socket, logger: _loggerFactory.CreateLogger<WebSocketConnection>());
    }

    /// <summary>
    /// The hub URL as a ws/wss URL. Browsers cannot set headers on a WebSocket, so SignalR servers
    /// read the bearer token from the <c>access_token</c> query string; we do the same so one server
    /// configuration serves every client.
    /// </summary>
    internal static Uri BuildSocketUrl(Uri hubUrl, string? accessToken)
    {
        if (!hubUrl.IsAbsoluteUri)
        {
            throw new ArgumentException($"The hub URL must be absolute: '{hubUrl}'.", nameof(hubUrl));
        }

        var builder = new UriBuilder(hubUrl)
        {
            Scheme = hubUrl.Scheme.ToLowerInvariant() switch
            {
                "http" or "ws" => "ws",
                "https" or "wss" => "wss",
                var other => throw new ArgumentException($"The hub URL must be http, https, ws or wss, not '{other}'.", nameof(hubUrl)),
            },
        };

        // UriBuilder keeps an explicit default port (":80") when the scheme changes; the original
        // port is what the server listens on, so it is right either way.
        if (!string.IsNullOrEmpty(accessToken))
        {
            var query = builder.Query.TrimStart('?');
            var tokenParameter = "access_token=" + Uri.EscapeDataString(accessToken);
            builder.Query = query.Length == 0 ? tokenParameter : query + "&" + tokenParameter;
        }

        return builder.Uri;
    }

    private static async Task<WebSocket> ConnectClientWebSocketAsync(Uri url, CancellationToken cancellationToken)
    {
        var socket = new ClientWebSocket();
        socket.Options.KeepAliveInterval = WebSocketKeepAliveInterval;
        try
        {
            await socket.ConnectAsync(url, cancellationToken);
            return socket;
        }
        catch
        {
            // Nobody else holds the socket yet, so a failed connect must not leak it.
            socket.Dispose();
            throw;
        }
    }
}
