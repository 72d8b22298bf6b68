using Microsoft.AspNetCore.Diagnostics;

namespace ChatApp.Server.Errors;

public static class ErrorsExtensions
{
    /// <summary>ChatException becomes ProblemDetails on REST (and a coded HubException on the hub, see ChatHubFilter).</summary>
    public static IHostApplicationBuilder AddChatErrors(this IHostApplicationBuilder builder)
    {
        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<ChatExceptionHandler>();
        // A refusal is logged by the handler as one line; without this the middleware logs it again at Error with its stack trace.
        builder.Services.Configure<ExceptionHandlerOptions>(options =>
            options.SuppressDiagnosticsCallback = context => context.Exception is ChatException or BadHttpRequestException);
        return builder;
    }
}
