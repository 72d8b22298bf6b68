using ChatApp.Contracts;

namespace ChatApp.Server.Errors;

public enum ChatError
{
    Invalid,
    NotFound,
    Forbidden,
    Conflict,
    Unavailable,
    RateLimited,
    SessionEnded,
}

/// <summary>
/// A failure the caller can act on. Its message is shown to users as it is: the hub turns it into a
/// <see cref="Microsoft.AspNetCore.SignalR.HubException"/> whose message carries the code
/// (<see cref="ChatErrors.Format"/>), REST into a ProblemDetails with a matching status and the same code.
/// </summary>
public sealed class ChatException(ChatError error, string message, TimeSpan? retryAfter = null) : Exception(message)
{
    public ChatError Error { get; } = error;

    /// <summary>When the caller may try again (rate limits); sent as a hint in the code and as Retry-After.</summary>
    public TimeSpan? RetryAfter { get; } = retryAfter;

    public string Code => Error switch
    {
        ChatError.Invalid => ChatErrorCodes.Invalid,
        ChatError.NotFound => ChatErrorCodes.NotFound,
        ChatError.Forbidden => ChatErrorCodes.Forbidden,
        ChatError.Conflict => ChatErrorCodes.Conflict,
        ChatError.RateLimited => ChatErrorCodes.RateLimited,
        ChatError.SessionEnded => ChatErrorCodes.SessionEnded,
        _ => ChatErrorCodes.Unavailable,
    };

    public int StatusCode => Error switch
    {
        ChatError.Invalid => StatusCodes.Status400BadRequest,
        ChatError.NotFound => StatusCodes.Status404NotFound,
        ChatError.Forbidden => StatusCodes.Status403Forbidden,
        ChatError.Conflict => StatusCodes.Status409Conflict,
        ChatError.RateLimited => StatusCodes.Status429TooManyRequests,
        ChatError.SessionEnded => StatusCodes.Status401Unauthorized,
        _ => StatusCodes.Status503ServiceUnavailable,
    };

    /// <summary>The message as the hub sends it: <c>[code] text</c>, with the retry hint when there is one.</summary>
    public string WireMessage => ChatErrors.Format(Code, Message, RetryAfter);

    public static ChatException Invalid(string message) => new(ChatError.Invalid, message);
    public static ChatException NotFound(string message) => new(ChatError.NotFound, message);
    public static ChatException Forbidden(string message) => new(ChatError.Forbidden, message);
    public static ChatException Conflict(string message) => new(ChatError.Conflict, message);
    public static ChatException Unavailable(string message) => new(ChatError.Unavailable, message);
    public static ChatException RateLimited(string message, TimeSpan? retryAfter) => new(ChatError.RateLimited, message, retryAfter);
    public static ChatException SessionEnded(string message) => new(ChatError.SessionEnded, message);
}
