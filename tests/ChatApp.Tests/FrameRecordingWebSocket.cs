using System.Collections.Concurrent;
using System.Net.WebSockets;

namespace ChatApp.Tests;

/// <summary>A WebSocket that passes everything through and notes the type of each message the client sends: JSON goes as text, MessagePack as binary.</summary>
public sealed class FrameRecordingWebSocket(WebSocket inner) : PassThroughWebSocket(inner)
{
    public ConcurrentQueue<WebSocketMessageType> Sent { get; } = new();

    public override Task SendAsync(ArraySegment<byte> buffer, WebSocketMessageType messageType, bool endOfMessage, CancellationToken cancellationToken)
    {
        Sent.Enqueue(messageType);
        return base.SendAsync(buffer, messageType, endOfMessage, cancellationToken);
    }

    public override ValueTask SendAsync(ReadOnlyMemory<byte> buffer, WebSocketMessageType messageType, bool endOfMessage, CancellationToken cancellationToken)
    {
        Sent.Enqueue(messageType);
        return base.SendAsync(buffer, messageType, endOfMessage, cancellationToken);
    }

    public override ValueTask SendAsync(ReadOnlyMemory<byte> buffer, WebSocketMessageType messageType, WebSocketMessageFlags messageFlags, CancellationToken cancellationToken)
    {
        Sent.Enqueue(messageType);
        return base.SendAsync(buffer, messageType, messageFlags, cancellationToken);
    }
}
