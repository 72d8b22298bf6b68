using System.Runtime.CompilerServices;
using ChatApp.Contracts;
using ChatApp.Server.Errors;
using ChatApp.Server.Hosting;
using Microsoft.AspNetCore.SignalR;

namespace ChatApp.Server.Hubs;

/// <summary>
/// Wraps every hub call: a logging scope with the connection and user (so every log line written while
/// serving it carries them), connect and disconnect lines, and <see cref="ChatException"/> turned into a
/// <see cref="HubException"/> whose message carries the code (<c>[code] text</c>), which SignalR passes to
/// the caller as it is. Streams get the same treatment for what they throw while running. A refusal is
/// logged as one short line; anything else is a fault, logged at Error with its stack trace.
/// </summary>
internal sealed partial class ChatHubFilter(ChatMetrics metrics, ILogger<ChatHubFilter> logger) : IHubFilter
{
    /// <summary>Refusal reasons can quote what the caller sent; a log line quotes at most this much of it.</summary>
    private const int MaxLoggedReason = 200;

    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocationContext, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        var context = invocationContext.Context;
        using var scope = BeginScope(context);
        try
        {
            var result = await next(invocationContext);
            return result is IAsyncEnumerable<ChatMessage> stream
                ? TranslateAsync(stream, invocationContext.HubMethodName, context.User?.Identity?.Name, context.ConnectionAborted)
                : result;
        }
        catch (Exception ex) when (Translate(ex, invocationContext.HubMethodName, context) is { } refusal)
        {
            throw refusal;
        }
    }

    private async IAsyncEnumerable<ChatMessage> TranslateAsync(
        IAsyncEnumerable<ChatMessage> stream, string method, string? user, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var items = stream.WithCancellation(cancellationToken).GetAsyncEnumerator();
        while (true)
        {
            try
            {
                if (!await items.MoveNextAsync())
                {
                    yield break;
                }
            }
            catch (ChatException ex)
            {
                Refused(method, user, ex);
                throw new HubException(ex.WireMessage, ex);
            }

            yield return items.Current;
        }
    }

    /// <summary>The HubException to throw for a refusal; null (rethrow as it is) for everything else, logged here as a fault.</summary>
    private HubException? Translate(Exception exception, string method, HubCallerContext context)
    {
        var user = context.User?.Identity?.Name;
        switch (exception)
        {
            case ChatException chat:
                Refused(method, user, chat);
                return new HubException(chat.WireMessage, chat);
            case HubException hub:
                LogRefused(logger, method, user, "hub", Clip(hub.Message));
                return null;
            case OperationCanceledException when context.ConnectionAborted.IsCancellationRequested:
                return null; // the caller went away; nothing failed
            default:
                // SignalR's own line for this is turned off in appsettings.json (it logs refusals at Error too), so this is the one.
                LogFault(logger, method, user, exception);
                return null;
        }
    }

    private void Refused(string method, string? user, ChatException refusal)
    {
        metrics.Refused(refusal.Code);
        // A flood of rate-limited calls must not become a flood of log lines: those are Debug.
        if (refusal.Error == ChatError.RateLimited)
        {
            LogLimited(logger, method, user, Clip(refusal.Message));
        }
        else
        {
            LogRefused(logger, method, user, refusal.Code, Clip(refusal.Message));
        }
    }

    private static string Clip(string text) => text.Length <= MaxLoggedReason ? text : string.Concat(text.AsSpan(0, MaxLoggedReason), "…");

    public async Task OnConnectedAsync(HubLifetimeContext context, Func<HubLifetimeContext, Task> next)
    {
        using var scope = BeginScope(context.Context);
        try
        {
            await next(context);
        }
        catch (OperationCanceledException) when (context.Context.ConnectionAborted.IsCancellationRequested)
        {
            // The client left (or sent garbage and was dropped) while being set up: nothing failed, and SignalR
            // would log it at Error. The connection is gone; OnDisconnectedAsync still runs and cleans up.
            LogLeftWhileConnecting(logger, context.Context.User?.Identity?.Name, context.Context.ConnectionId);
            return;
        }

        LogConnected(logger, context.Context.User?.Identity?.Name, context.Context.ConnectionId);
    }

    public async Task OnDisconnectedAsync(HubLifetimeContext context, Exception? exception, Func<HubLifetimeContext, Exception?, Task> next)
    {
        using var scope = BeginScope(context.Context);
        await next(context, exception);
        LogDisconnected(logger, context.Context.User?.Identity?.Name, context.Context.ConnectionId, exception?.Message);
    }

    // The scope reads its two properties from the connection when a line is written: not a new dictionary on every
    // call, nor a copy kept in Context.Items, a concurrent dictionary made on first use and kept for the connection's life
    // (~0.6 KB per idle connection, bench/README.md "Memory per idle connection, second pass").
    private IDisposable? BeginScope(HubCallerContext context) => logger.BeginScope(new ConnectionScope(context));

    private sealed class ConnectionScope(HubCallerContext context) : IReadOnlyList<KeyValuePair<string, object?>>
    {
        public int Count => 2;

        public KeyValuePair<string, object?> this[int index] => index switch
        {
            0 => new("ConnectionId", context.ConnectionId),
            1 => new("User", context.User?.Identity?.Name),
            _ => throw new ArgumentOutOfRangeException(nameof(index)),
        };

        public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
        {
            yield return this[0];
            yield return this[1];
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{User} connected on {ConnectionId}")]
    private static partial void LogConnected(ILogger logger, string? user, string connectionId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{User} left {ConnectionId} while it was being set up")]
    private static partial void LogLeftWhileConnecting(ILogger logger, string? user, string connectionId);

    [LoggerMessage(Level = LogLevel.Information, Message = "{User} disconnected from {ConnectionId} ({Reason})")]
    private static partial void LogDisconnected(ILogger logger, string? user, string connectionId, string? reason);

    // The user is in the scope as well as here: the line must say whom without the scope (console output).
    [LoggerMessage(Level = LogLevel.Information, Message = "{Method} refused for {User}: [{Code}] {Reason}")]
    private static partial void LogRefused(ILogger logger, string method, string? user, string code, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Method} rate-limited for {User}: {Reason}")]
    private static partial void LogLimited(ILogger logger, string method, string? user, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Method} failed for {User}")]
    private static partial void LogFault(ILogger logger, string method, string? user, Exception exception);
}
