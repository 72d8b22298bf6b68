using ChatApp.Server.Errors;
using ChatApp.Server.Hosting;
using Microsoft.AspNetCore.SignalR;

namespace ChatApp.Server.Hubs;

/// <summary>
/// Wraps every hub call: a logging scope with the connection and user (so every log line written while
/// serving it carries them), connect and disconnect lines, and <see cref="ChatException"/> turned into a
/// <see cref="HubException"/> with the same message, which SignalR passes to the caller as it is.
/// </summary>
internal sealed partial class ChatHubFilter(ChatMetrics metrics, ILogger<ChatHubFilter> logger) : IHubFilter
{
    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocationContext, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        var context = invocationContext.Context;
        using var scope = BeginScope(context);
        try
        {
            return await next(invocationContext);
        }
        catch (ChatException ex)
        {
            metrics.Refused(ex.Error);
            LogRefused(logger, invocationContext.HubMethodName, context.User?.Identity?.Name, ex.Message);
            throw new HubException(ex.Message, ex);
        }
    }

    public async Task OnConnectedAsync(HubLifetimeContext context, Func<HubLifetimeContext, Task> next)
    {
        using var scope = BeginScope(context.Context);
        await next(context);
        LogConnected(logger, context.Context.User?.Identity?.Name, context.Context.ConnectionId);
    }

    public async Task OnDisconnectedAsync(HubLifetimeContext context, Exception? exception, Func<HubLifetimeContext, Exception?, Task> next)
    {
        using var scope = BeginScope(context.Context);
        await next(context, exception);
        LogDisconnected(logger, context.Context.User?.Identity?.Name, context.Context.ConnectionId, exception?.Message);
    }

    private IDisposable? BeginScope(HubCallerContext context) =>
        logger.BeginScope(new Dictionary<string, object?> { ["ConnectionId"] = context.ConnectionId, ["User"] = context.User?.Identity?.Name });

    [LoggerMessage(Level = LogLevel.Information, Message = "{User} connected on {ConnectionId}")]
    private static partial void LogConnected(ILogger logger, string? user, string connectionId);

    [LoggerMessage(Level = LogLevel.Information, Message = "{User} disconnected from {ConnectionId} ({Reason})")]
    private static partial void LogDisconnected(ILogger logger, string? user, string connectionId, string? reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Method} refused for {User}: {Reason}")]
    private static partial void LogRefused(ILogger logger, string method, string? user, string reason);
}
