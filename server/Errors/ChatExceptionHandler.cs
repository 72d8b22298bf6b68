using Microsoft.AspNetCore.Diagnostics;

namespace ChatApp.Server.Errors;

/// <summary>REST: a <see cref="ChatException"/> becomes a ProblemDetails whose status says what kind of failure it was.</summary>
internal sealed class ChatExceptionHandler(IProblemDetailsService problems, Hosting.ChatMetrics metrics) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not ChatException chat)
        {
            return false;
        }

        metrics.Refused(chat.Error);
        httpContext.Response.StatusCode = chat.StatusCode;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails = { Status = chat.StatusCode, Title = chat.Message },
        });
    }
}
