using System.Text.RegularExpressions;
using ChatApp.Server.Errors;

namespace ChatApp.Server.Rooms;

public static partial class RoomNames
{
    /// <summary>The longest name of any room: a DM's <c>@a:b</c> of two 32-character user names.</summary>
    private const int MaxLength = 1 + 32 + 1 + 32;

    // Matched before lower-casing, and only ASCII: ToLowerInvariant turns some non-ASCII letters (the Kelvin sign) into ASCII ones.
    [GeneratedRegex(@"\A[A-Za-z0-9][A-Za-z0-9_-]{0,31}\z")]
    private static partial Regex RoomPattern();

    [GeneratedRegex(@"\A@[A-Za-z0-9][A-Za-z0-9_.-]{2,31}:[A-Za-z0-9][A-Za-z0-9_.-]{2,31}\z")]
    private static partial Regex DirectPattern();

    /// <summary>Room names are case-insensitive; they are stored and compared in lower case. Accepts DM names too.</summary>
    public static string Normalize(string? name)
    {
        // Length first, before trimming or matching looks at a string of any size.
        var trimmed = name is { Length: <= MaxLength + 8 } ? name.Trim(' ') : null;
        if (string.IsNullOrEmpty(trimmed) || trimmed.Length > MaxLength || !(RoomPattern().IsMatch(trimmed) || DirectPattern().IsMatch(trimmed)))
        {
            throw ChatException.Invalid("A room name is 1 to 32 characters: letters, digits, '_' or '-', starting with a letter or digit.");
        }

        return trimmed.ToLowerInvariant();
    }

    /// <summary>A name for a new room: like <see cref="Normalize"/>, but the <c>@a:b</c> form is kept for DMs.</summary>
    public static string NormalizeNew(string? name)
    {
        var normalized = Normalize(name);
        return RoomPattern().IsMatch(normalized)
            ? normalized
            : throw ChatException.Invalid("Room names starting with '@' are reserved for direct messages; use OpenDirect.");
    }

    /// <summary>The one room two users share for direct messages, whichever of them opens it.</summary>
    public static string Direct(string userA, string userB)
    {
        var (first, second) = string.CompareOrdinal(userA.ToLowerInvariant(), userB.ToLowerInvariant()) <= 0
            ? (userA, userB)
            : (userB, userA);
        return $"@{first.ToLowerInvariant()}:{second.ToLowerInvariant()}";
    }
}
