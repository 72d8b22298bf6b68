using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.SignalR;

namespace ChatApp.Server.Errors;

/// <summary>Turns <see cref="ChatException"/> into a HubException with the same message, so hub methods can throw it directly.</summary>
internal sealed class ChatExceptionHubFilter : IHubFilter
{
    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocationContext, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        try
        {
            return await next(invocationContext);
        }
        catch (ChatException ex)
        {
            throw new HubException(ex.Message, ex);
        }
    }
}

/// <summary>REST: a <see cref="ChatException"/> becomes a ProblemDetails whose status says what kind of failure it was.</summary>
internal sealed class ChatExceptionHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not ChatException chat)
        {
            return false;
        }

        httpContext.Response.StatusCode = chat.StatusCode;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails = { Status = chat.StatusCode, Title = chat.Message },
        });
    }
}
