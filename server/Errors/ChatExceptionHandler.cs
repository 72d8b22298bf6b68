using ChatApp.Contracts;
using Microsoft.AspNetCore.Diagnostics;

namespace ChatApp.Server.Errors;

/// <summary>
/// REST: a <see cref="ChatException"/> becomes a ProblemDetails whose status says what kind of failure it was,
/// with the same <c>code</c> as the hub's, and Retry-After when there is a hint. A refusal is the caller's
/// doing, not a fault: the request line (Information) already says 4xx, so the reason is a Debug line.
/// </summary>
internal sealed partial class ChatExceptionHandler(IProblemDetailsService problems, Hosting.ChatMetrics metrics, ILogger<ChatExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is BadHttpRequestException bad)
        {
            // A body that is not JSON, or not the endpoint's shape: the caller's mistake (400), never a 500.
            LogRefused(logger, ChatErrorCodes.Invalid, bad.Message);
            await WriteAsync(problems, httpContext, bad.StatusCode, ChatErrorCodes.Invalid,
                "The request could not be read: send a JSON body of the documented shape.", retryAfter: null, exception);
            return true;
        }

        if (exception is not ChatException chat)
        {
            return false;
        }

        metrics.Refused(chat.Code);
        LogRefused(logger, chat.Code, chat.Message);
        await WriteAsync(problems, httpContext, chat.StatusCode, chat.Code, chat.Message, chat.RetryAfter, exception);
        return true;
    }

    /// <summary>One shape for every refusal REST makes (exceptions, rate limits, login locks).</summary>
    public static async ValueTask WriteAsync(
        IProblemDetailsService problems, HttpContext httpContext, int status, string code, string title, TimeSpan? retryAfter, Exception? exception = null)
    {
        httpContext.Response.StatusCode = status;
        if (retryAfter is { } wait)
        {
            httpContext.Response.Headers.RetryAfter = ChatErrors.RetryAfterSeconds(wait).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        var context = new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails = { Status = status, Title = title },
        };
        context.ProblemDetails.Extensions["code"] = code;
        if (!await problems.TryWriteAsync(context))
        {
            await httpContext.Response.WriteAsJsonAsync(context.ProblemDetails, httpContext.RequestAborted);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Refused: [{Code}] {Reason}")]
    private static partial void LogRefused(ILogger logger, string code, string reason);
}
