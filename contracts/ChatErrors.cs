using System.Globalization;

namespace ChatApp.Contracts;

/// <summary>
/// The codes of refused calls. A hub refusal is a HubException whose message is <c>[code] text</c>, or
/// <c>[code retry_after=seconds] text</c>; REST answers a ProblemDetails with the same <c>code</c> extension
/// member and a <c>Retry-After</c> header. Clients decide by the code, never by the English text.
/// </summary>
public static class ChatErrorCodes
{
    public const string Invalid = "invalid";
    public const string NotFound = "not_found";
    public const string Forbidden = "forbidden";
    public const string Conflict = "conflict";

    /// <summary>Nothing was stored; retry with the same id.</summary>
    public const string Unavailable = "unavailable";

    /// <summary>Too many calls; retry after the hint.</summary>
    public const string RateLimited = "rate_limited";

    /// <summary>The login is no longer valid; log in (or refresh) again.</summary>
    public const string SessionEnded = "session_ended";
}

/// <summary>A refusal as the server coded it: the code, how long to wait before retrying (when it said), and the text for the user.</summary>
public sealed record ChatErrorReply(string Code, TimeSpan? RetryAfter, string Text)
{
    public bool IsRetryable => ChatErrors.IsRetryable(Code);
}

public static class ChatErrors
{
    /// <summary>What the SignalR clients put before a server's HubException message.</summary>
    private const string HubExceptionMarker = "HubException: ";

    /// <summary>The wire form: <c>[code] text</c> or <c>[code retry_after=seconds] text</c>.</summary>
    public static string Format(string code, string text, TimeSpan? retryAfter = null) => retryAfter is { } wait
        ? $"[{code} retry_after={RetryAfterSeconds(wait).ToString(CultureInfo.InvariantCulture)}] {text}"
        : $"[{code}] {text}";

    /// <summary>Whole seconds, rounded up and at least 1, so a client that waits that long is not refused again for being early.</summary>
    public static long RetryAfterSeconds(TimeSpan wait) => Math.Max(1, (long)Math.Ceiling(wait.TotalSeconds));

    /// <summary>
    /// Reads a coded refusal from an error message, as the server sent it or as a SignalR client reports it
    /// (after "HubException: "). Null when the message carries no code (a lost connection, a server fault).
    /// </summary>
    public static ChatErrorReply? Parse(string? message)
    {
        if (string.IsNullOrEmpty(message))
        {
            return null;
        }

        var marker = message.IndexOf(HubExceptionMarker, StringComparison.Ordinal);
        var rest = marker >= 0 ? message.AsSpan(marker + HubExceptionMarker.Length) : message.AsSpan();
        var close = rest.IndexOf(']');
        if (rest.Length < 3 || rest[0] != '[' || close < 2)
        {
            return null;
        }

        var head = rest[1..close];
        var text = rest[(close + 1)..].TrimStart(' ').ToString();
        var space = head.IndexOf(' ');
        var code = space < 0 ? head : head[..space];
        if (!IsCode(code))
        {
            return null;
        }

        TimeSpan? retryAfter = null;
        if (space >= 0)
        {
            const string hint = "retry_after=";
            var option = head[(space + 1)..];
            if (!option.StartsWith(hint, StringComparison.Ordinal)
                || !long.TryParse(option[hint.Length..], NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
            {
                return null;
            }

            retryAfter = TimeSpan.FromSeconds(seconds);
        }

        return new ChatErrorReply(code.ToString(), retryAfter, text);
    }

    /// <summary>Codes that promise nothing was done and the same call may succeed later.</summary>
    public static bool IsRetryable(string? code) => code is ChatErrorCodes.Unavailable or ChatErrorCodes.RateLimited;

    private static bool IsCode(ReadOnlySpan<char> code)
    {
        if (code.IsEmpty)
        {
            return false;
        }

        foreach (var c in code)
        {
            if (c is not ((>= 'a' and <= 'z') or '_'))
            {
                return false;
            }
        }

        return true;
    }
}
