using System.Buffers;
using System.IO.Pipelines;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ChatApp.Client.Transport;

/// <summary>
/// A connection over one WebSocket: <see cref="Transport"/> is a pair of pipes that two loops pump to and
/// from the socket. It owns the socket and starts pumping as soon as it is constructed.
/// </summary>
public sealed partial class WebSocketConnection :
    ConnectionContext,
    IConnectionIdFeature,
    IConnectionItemsFeature,
    IConnectionTransportFeature,
    IConnectionLifetimeFeature
{
    // How long either side may take to finish the close handshake before the socket is aborted, so a
    // server that never answers (or never reads) cannot hang a stop or a reconnect. Matches the official client.
    public static readonly TimeSpan DefaultCloseTimeout = TimeSpan.FromSeconds(5);

    // What each pipe holds before its writer waits; the official client's default transport and
    // application buffer sizes. A single hub message larger than this stalls, as it does there.
    private const long MaxBufferedBytes = 1024 * 1024;

    // The smallest receive buffer worth handing to the socket; pipe segments are pooled at about this size.
    private const int MinimumReceiveBufferSize = 4096;

    private readonly WebSocket _socket;
    private readonly TimeSpan _closeTimeout;
    private readonly ILogger _logger;
    private readonly Pipe _fromSocket = NewPipe();
    private readonly Pipe _toSocket = NewPipe();
    private readonly CancellationTokenSource _closed = new();
    private readonly Task _processing;
    private ConnectionAbortedException? _abortReason;
    private int _aborted;
    private bool _disposeRequested;

    public WebSocketConnection(WebSocket socket, TimeSpan? closeTimeout = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(socket);
        _socket = socket;
        _closeTimeout = closeTimeout ?? DefaultCloseTimeout;
        _logger = logger ?? NullLogger.Instance;

        ConnectionId = Guid.NewGuid().ToString("N");
        Transport = new DuplexPipe(_fromSocket.Reader, _toSocket.Writer);
        ConnectionClosed = _closed.Token;

        Features = new FeatureCollection();
        Features.Set<IConnectionIdFeature>(this);
        Features.Set<IConnectionItemsFeature>(this);
        Features.Set<IConnectionTransportFeature>(this);
        Features.Set<IConnectionLifetimeFeature>(this);

        // Last, once every field the loops read is set.
        _processing = ProcessSocketAsync();
    }

    public override string ConnectionId { get; set; }

    public override IFeatureCollection Features { get; }

    public override IDictionary<object, object?> Items { get; set; } = new Dictionary<object, object?>();

    public override IDuplexPipe Transport { get; set; }

    public override CancellationToken ConnectionClosed { get; set; }

    private bool IsAborted => Volatile.Read(ref _aborted) == 1;

    private bool IsDisposeRequested => Volatile.Read(ref _disposeRequested);

    public override void Abort() =>
        Abort(new ConnectionAbortedException("The connection was aborted by the application."));

    public override void Abort(ConnectionAbortedException abortReason)
    {
        // The first reason wins: it is what the application sees when its input completes.
        Interlocked.CompareExchange(ref _abortReason, abortReason, null);
        AbortSocket();
    }

    /// <summary>
    /// Closes gracefully: a close frame, then at most the close timeout for the server's answer, then an
    /// abort. Returns once both loops have finished.
    /// </summary>
    public override async ValueTask DisposeAsync()
    {
        // Stop the send loop as if the application had finished writing, so it starts the close handshake.
        // HubConnection completes its output before disposing, in which case this is a no-op.
        Volatile.Write(ref _disposeRequested, true);
        _toSocket.Reader.CancelPendingRead();
        await _processing;
        _closed.Dispose();
        await base.DisposeAsync();
    }

    private async Task ProcessSocketAsync()
    {
        var receiving = ReceiveFromSocketAsync();
        var sending = SendToSocketAsync();

        if (await Task.WhenAny(receiving, sending) == receiving)
        {
            // The server closed, the socket failed or the application stopped reading: nothing more will
            // be sent, so wake the send loop if it is waiting for application data. On its way out it
            // answers the server's close frame.
            _toSocket.Reader.CancelPendingRead();
        }

        // Whichever loop ended first, the other gets a bounded time to finish the close handshake: a
        // server that never answers our close frame, or never reads what we send, must not hang us.
        try
        {
            await Task.WhenAll(receiving, sending).WaitAsync(_closeTimeout);
        }
        catch (TimeoutException)
        {
            Log.CloseTimedOut(_logger, ConnectionId, _closeTimeout);
            AbortSocket();
        }

        // Neither loop throws (each returns its failure), so these awaits only collect the results.
        var receiveError = await receiving;
        var sendError = await sending;
        Exception? error = Volatile.Read(ref _abortReason) ?? receiveError ?? sendError;

        // The application's reads end here: HubConnection treats a completed input as the connection
        // closing (and reconnects, if configured), and an exception as the reason it closed.
        await _fromSocket.Writer.CompleteAsync(error);
        await _toSocket.Reader.CompleteAsync(error);

        // From here on Abort() must not touch the disposed socket.
        Interlocked.Exchange(ref _aborted, 1);
        _socket.Dispose();
        await _closed.CancelAsync();
    }

    private async Task<Exception?> ReceiveFromSocketAsync()
    {
        var output = _fromSocket.Writer;
        try
        {
            while (true)
            {
                var memory = output.GetMemory(MinimumReceiveBufferSize);
                var received = await _socket.ReceiveAsync(memory, CancellationToken.None);

                if (received.MessageType == WebSocketMessageType.Close)
                {
                    return CloseFrameError();
                }

                output.Advance(received.Count);

                // Flush every frame rather than every message, so a large message is handed on as it
                // arrives and the pipe's threshold holds the socket back while the application is slow.
                var flush = await output.FlushAsync();
                if (flush.IsCompleted || flush.IsCanceled)
                {
                    // The application stopped reading, or we are aborting.
                    return null;
                }
            }
        }
        catch (Exception) when (IsAborted)
        {
            // The failure our own abort caused; the reason for the abort is reported instead.
            return null;
        }
        catch (Exception ex)
        {
            return ex;
        }
    }

    private WebSocketException? CloseFrameError()
    {
        var status = _socket.CloseStatus;
        if (status is null or WebSocketCloseStatus.NormalClosure)
        {
            return null;
        }

        // Anything but a normal close (1001 on server shutdown, 1011 on a server error, 1008 on policy) is
        // a reason the application should see, e.g. in HubConnection.Closed.
        return new WebSocketException(
            WebSocketError.ConnectionClosedPrematurely,
            $"The server closed the WebSocket with status {(int)status} ({status}): {_socket.CloseStatusDescription}");
    }

    private async Task<Exception?> SendToSocketAsync()
    {
        var input = _toSocket.Reader;
        Exception? error = null;
        try
        {
            while (true)
            {
                var result = await input.ReadAsync();
                var buffer = result.Buffer;
                try
                {
                    if (result.IsCanceled && !IsDisposeRequested)
                    {
                        // The server closed or we are aborting: what is left cannot reach a reader.
                        break;
                    }

                    if (!buffer.IsEmpty)
                    {
                        // On dispose, what the application already flushed still goes out before the close frame.
                        await SendMessageAsync(buffer);
                    }

                    if (result.IsCanceled || result.IsCompleted)
                    {
                        break;
                    }
                }
                finally
                {
                    input.AdvanceTo(buffer.End);
                }
            }
        }
        catch (Exception) when (IsAborted)
        {
            return null;
        }
        catch (Exception ex)
        {
            error = ex;
        }

        return await CloseOutputAsync(error);
    }

    /// <summary>
    /// One read from the application becomes one WebSocket message: text, because the JSON hub protocol is
    /// text, with end-of-message on the last segment. SignalR frames its own messages, so how they are
    /// split across WebSocket messages does not matter to the server.
    /// </summary>
    private async ValueTask SendMessageAsync(ReadOnlySequence<byte> buffer)
    {
        if (buffer.IsSingleSegment)
        {
            await _socket.SendAsync(buffer.First, WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
            return;
        }

        var position = buffer.Start;
        buffer.TryGet(ref position, out var current);
        while (buffer.TryGet(ref position, out var next))
        {
            await _socket.SendAsync(current, WebSocketMessageType.Text, endOfMessage: false, CancellationToken.None);
            current = next;
        }

        await _socket.SendAsync(current, WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
    }

    private async Task<Exception?> CloseOutputAsync(Exception? error)
    {
        var state = _socket.State;
        if (IsAborted || state is not (WebSocketState.Open or WebSocketState.CloseReceived))
        {
            return error;
        }

        try
        {
            // Starts the close handshake, or answers the server's close frame; the receive loop sees the
            // server's side of it.
            await _socket.CloseOutputAsync(
                error is null ? WebSocketCloseStatus.NormalClosure : WebSocketCloseStatus.InternalServerError,
                statusDescription: null,
                CancellationToken.None);
        }
        catch (Exception) when (IsAborted)
        {
        }
        catch (Exception ex) when (error is null && state == WebSocketState.CloseReceived)
        {
            // The server already closed cleanly; answering is a courtesy it may no longer be there to receive.
            Log.CloseReplyFailed(_logger, ConnectionId, ex);
        }
        catch (Exception ex)
        {
            error ??= ex;
        }

        return error;
    }

    private void AbortSocket()
    {
        if (Interlocked.Exchange(ref _aborted, 1) == 1)
        {
            return;
        }

        // Fails a pending receive or send on the socket; the pipe cancellations end a loop that is
        // waiting on the application instead (a read with nothing to send, a flush the application is
        // not draining).
        _socket.Abort();
        _fromSocket.Writer.CancelPendingFlush();
        _toSocket.Reader.CancelPendingRead();
    }

    private static Pipe NewPipe() => new(new PipeOptions(
        pauseWriterThreshold: MaxBufferedBytes,
        resumeWriterThreshold: MaxBufferedBytes / 2,
        useSynchronizationContext: false));

    private sealed record DuplexPipe(PipeReader Input, PipeWriter Output) : IDuplexPipe;

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Debug, "WebSocket {ConnectionId}: the close handshake took longer than {CloseTimeout}; aborting.")]
        public static partial void CloseTimedOut(ILogger logger, string connectionId, TimeSpan closeTimeout);

        [LoggerMessage(2, LogLevel.Debug, "WebSocket {ConnectionId}: answering the server's close frame failed.")]
        public static partial void CloseReplyFailed(ILogger logger, string connectionId, Exception exception);
    }
}
