using Microsoft.AspNetCore.Http.Connections.Client;
using Microsoft.AspNetCore.TestHost;

namespace ChatApp.Tests;

/// <summary>Points the official SignalR client at a TestServer: negotiate, Server-Sent Events and long polling over its HTTP handler, WebSockets over its WebSocket client.</summary>
public static class InMemoryTransport
{
    /// <param name="server">Asked on every connect, so a reconnect after a restart reaches the new host.</param>
    public static void Route(HttpConnectionOptions http, Func<TestServer> server)
    {
        http.HttpMessageHandlerFactory = _ => server().CreateHandler();
        http.WebSocketFactory = async (context, cancellationToken) =>
        {
            // A custom factory gets no token from SignalR; send it the way SignalR's own socket does, as a header.
            var token = context.Options.AccessTokenProvider is { } provider ? await provider() : null;
            var client = server().CreateWebSocketClient();
            if (!string.IsNullOrEmpty(token))
            {
                client.ConfigureRequest = request => request.Headers.Authorization = "Bearer " + token;
            }

            return await client.ConnectAsync(context.Uri, cancellationToken);
        };
    }
}
