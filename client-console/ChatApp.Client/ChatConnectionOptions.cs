using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.Http.Connections.Client;
using Microsoft.Extensions.Logging;

namespace ChatApp.Client;

/// <summary>The hub protocol a connection speaks. The server offers both; browsers use JSON.</summary>
public enum ChatProtocol
{
    Json,
    MessagePack,
}

/// <summary>How a <see cref="ChatConnection"/> reaches the hub. The defaults suit a person's client behind any proxy.</summary>
public sealed record ChatConnectionOptions
{
    /// <summary>Every transport SignalR has: negotiate picks the best one the server and the network path allow.</summary>
    public const HttpTransportType AllTransports = HttpTransportType.WebSockets | HttpTransportType.ServerSentEvents | HttpTransportType.LongPolling;

    /// <summary>The transports negotiate may choose from; by default all of them, so a proxy that breaks WebSockets still lets a client in.</summary>
    public HttpTransportType Transports { get; init; } = AllTransports;

    /// <summary>
    /// Opens the WebSocket directly without the negotiate request: one round trip less per connect, which
    /// matters when hundreds of bots connect at once. Only with <see cref="Transports"/> = WebSockets.
    /// </summary>
    public bool SkipNegotiation { get; init; }

    public ChatProtocol Protocol { get; init; } = ChatProtocol.Json;

    /// <summary>Waits between reconnect attempts, each tried once; null means <see cref="ChatConnection.DefaultReconnectDelays"/>, retried forever.</summary>
    public IReadOnlyList<TimeSpan>? ReconnectDelays { get; init; }

    public ILoggerFactory? LoggerFactory { get; init; }

    /// <summary>
    /// Last say over the HTTP connection options: tests route <c>HttpMessageHandlerFactory</c> and
    /// <c>WebSocketFactory</c> to an in-memory TestServer here.
    /// </summary>
    public Action<HttpConnectionOptions>? ConfigureHttp { get; init; }

    /// <summary>WebSockets only, without negotiate: the simulator's default.</summary>
    public static ChatConnectionOptions WebSocketsDirect { get; } = new() { Transports = HttpTransportType.WebSockets, SkipNegotiation = true };

    /// <summary>The settings for a transport named on a command line: auto, websockets, sse or longpolling.</summary>
    public static bool TryParseTransport(string name, out ChatConnectionOptions options)
    {
        ChatConnectionOptions? parsed = name.ToLowerInvariant() switch
        {
            "auto" => new ChatConnectionOptions(),
            "websockets" or "ws" => WebSocketsDirect,
            "sse" or "serversentevents" => new ChatConnectionOptions { Transports = HttpTransportType.ServerSentEvents },
            "longpolling" => new ChatConnectionOptions { Transports = HttpTransportType.LongPolling },
            _ => null,
        };
        options = parsed ?? new ChatConnectionOptions();
        return parsed is not null;
    }

    /// <summary>What makes these settings unusable, or null. SignalR would only say so on the first connect; a misconfigured client should not get that far.</summary>
    public string? Problem() => this switch
    {
        { SkipNegotiation: true, Transports: not HttpTransportType.WebSockets } => "Skipping negotiate needs the WebSockets transport alone.",
        // Server-Sent Events carry text only; MessagePack is binary.
        { Transports: HttpTransportType.ServerSentEvents, Protocol: ChatProtocol.MessagePack } =>
            "MessagePack cannot run over Server-Sent Events alone; allow WebSockets or long polling.",
        _ => null,
    };
}
