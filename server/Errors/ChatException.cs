namespace ChatApp.Server.Errors;

public enum ChatError
{
    Invalid,
    NotFound,
    Forbidden,
    Conflict,
    Unavailable,
}

/// <summary>
/// A failure the caller can act on. Its message is shown to users as it is: the hub turns it into a
/// <see cref="Microsoft.AspNetCore.SignalR.HubException"/>, REST into a ProblemDetails with a matching status.
/// </summary>
public sealed class ChatException(ChatError error, string message) : Exception(message)
{
    public ChatError Error { get; } = error;

    public int StatusCode => Error switch
    {
        ChatError.Invalid => StatusCodes.Status400BadRequest,
        ChatError.NotFound => StatusCodes.Status404NotFound,
        ChatError.Forbidden => StatusCodes.Status403Forbidden,
        ChatError.Conflict => StatusCodes.Status409Conflict,
        _ => StatusCodes.Status503ServiceUnavailable,
    };

    public static ChatException Invalid(string message) => new(ChatError.Invalid, message);
    public static ChatException NotFound(string message) => new(ChatError.NotFound, message);
    public static ChatException Forbidden(string message) => new(ChatError.Forbidden, message);
    public static ChatException Conflict(string message) => new(ChatError.Conflict, message);
    public static ChatException Unavailable(string message) => new(ChatError.Unavailable, message);
}
