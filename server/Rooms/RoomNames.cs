using System.Text.RegularExpressions;
using ChatApp.Server.Errors;

namespace ChatApp.Server.Rooms;

public static partial class RoomNames
{
    [GeneratedRegex("^[a-z0-9][a-z0-9_-]{0,31}$")]
    private static partial Regex RoomPattern();

    [GeneratedRegex("^@[a-z0-9][a-z0-9_.-]{2,31}:[a-z0-9][a-z0-9_.-]{2,31}$")]
    private static partial Regex DirectPattern();

    /// <summary>Room names are case-insensitive; they are stored and compared in lower case. Accepts DM names too.</summary>
    public static string Normalize(string? name)
    {
        var normalized = name?.Trim().ToLowerInvariant();
        if (string.IsNullOrEmpty(normalized) || !(RoomPattern().IsMatch(normalized) || DirectPattern().IsMatch(normalized)))
        {
            throw ChatException.Invalid("A room name is 1 to 32 characters: letters, digits, '_' or '-', starting with a letter or digit.");
        }

        return normalized;
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
