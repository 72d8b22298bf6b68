using System.Net;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ChatApp.Client.Transport;

public static class WebSocketHubConnectionBuilderExtensions
{
    /// <summary>
    /// Connects the hub over <see cref="WebSocketConnectionFactory"/>: the replacement for
    /// <c>WithUrl</c>, whose package our feed lacks. <see cref="HubConnectionBuilder"/> already adds
    /// the JSON protocol; Build() fails without the EndPoint and IConnectionFactory registered here.
    /// </summary>
    public static IHubConnectionBuilder WithWebSocketTransport(
        this IHubConnectionBuilder builder,
        Uri hubUrl,
        Func<CancellationToken, ValueTask<string?>>? accessTokenProvider = null,
        Func<Uri, CancellationToken, Task<WebSocket>>? connect = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(hubUrl);

        // Fail here, at configuration, rather than on the first connect attempt.
        _ = WebSocketConnectionFactory.BuildSocketUrl(hubUrl, accessToken: null);

        // HubConnectionBuilder registers logging, so the transport logs wherever ConfigureLogging says.
        builder.Services.AddSingleton<IConnectionFactory>(services =>
            new WebSocketConnectionFactory(accessTokenProvider, connect, services.GetService<ILoggerFactory>()));
        builder.Services.AddSingleton<EndPoint>(new UriEndPoint(hubUrl));
        return builder;
    }
}
