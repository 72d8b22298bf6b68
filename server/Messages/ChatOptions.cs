using System.ComponentModel.DataAnnotations;

namespace ChatApp.Server.Messages;

/// <summary>Limits of the message path and the hub, bound from the "Chat" section and validated at start-up.</summary>
public sealed class ChatOptions
{
    public const string Section = "Chat";

    [Range(1, 100_000)]
    public int MaxMessageLength { get; set; } = 4_000;

    [Range(1, 256)]
    public int MaxClientMessageIdLength { get; set; } = 64;

    [Range(1, 1_000)]
    public int DefaultHistoryPageSize { get; set; } = 50;

    [Range(1, 1_000)]
    public int MaxHistoryPageSize { get; set; } = 200;

    /// <summary>How many entries the catch-up stream reads per query, so no read transaction stays open long.</summary>
    [Range(1, 10_000)]
    public int StreamPageSize { get; set; } = 500;

    /// <summary>The largest hub frame accepted, in bytes; a 4,000-character message in JSON fits with room to spare.</summary>
    [Range(1_024, 16 * 1_024 * 1_024)]
    public long MaximumReceiveMessageSize { get; set; } = 64 * 1_024;

    [Range(1, 300)]
    public int KeepAliveSeconds { get; set; } = 15;

    /// <summary>A connection silent this long is dropped; should be at least twice the client's keep-alive.</summary>
    [Range(2, 600)]
    public int ClientTimeoutSeconds { get; set; } = 30;

    /// <summary>The longest reaction (an emoji, or a short word).</summary>
    [Range(1, 256)]
    public int MaxReactionLength { get; set; } = 32;

    /// <summary>The longest search query, in characters; checked before anything else looks at it.</summary>
    [Range(1, 10_000)]
    public int MaxSearchLength { get; set; } = 256;

    /// <summary>How many words of a search query are used; the rest are ignored.</summary>
    [Range(1, 256)]
    public int MaxSearchWords { get; set; } = 16;

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

    /// <summary>A user's typing signal in one room goes out at most this often.</summary>
    [Range(100, 60_000)]
    public int TypingThrottleMilliseconds { get; set; } = 2_000;

    /// <summary>The most (user, room) typing timestamps kept; past it expired ones go, then the oldest.</summary>
    [Range(100, 10_000_000)]
    public int TypingThrottleEntries { get; set; } = 10_000;

    /// <summary>Origins besides the server's own that may open the hub from a browser.</summary>
    public string[] AllowedOrigins { get; set; } = [];
}
