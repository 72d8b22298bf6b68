using System.ComponentModel.DataAnnotations;

namespace ChatApp.Server.Hubs;

/// <summary>
/// The hub's transport settings: frame size, keep-alive and timeouts, WebSocket pings, allowed origins. Bound
/// from the "Chat" section (the keys predate this class) and validated at start-up.
/// </summary>
public sealed class ChatHubOptions
{
    public const string Section = "Chat";

    /// <summary>The largest hub frame accepted, in bytes; a 4,000-character message in JSON fits with room to spare.</summary>
    [Range(1_024, 16 * 1_024 * 1_024)]
    public long MaximumReceiveMessageSize { get; set; } = 64 * 1_024;

    [Range(1, 300)]
    public int KeepAliveSeconds { get; set; } = 15;

    /// <summary>A connection silent this long is dropped; should be at least twice the client's keep-alive.</summary>
    [Range(2, 600)]
    public int ClientTimeoutSeconds { get; set; } = 30;

    /// <summary>How often the server pings each WebSocket below SignalR's own messages.</summary>
    [Range(1, 300)]
    public int WebSocketPingSeconds { get; set; } = 15;

    /// <summary>
    /// A WebSocket whose pong has not come back this long after a ping is dropped. A client that stops
    /// reading cannot answer (the ping waits behind what it has not read), so this bounds how much a stalled
    /// member can make the server hold for it; SignalR's client timeout only notices clients that stop sending.
    /// </summary>
    [Range(1, 600)]
    public int WebSocketPongTimeoutSeconds { get; set; } = 30;

    /// <summary>Origins besides the server's own that may open the hub from a browser.</summary>
    public string[] AllowedOrigins { get; set; } = [];
}
