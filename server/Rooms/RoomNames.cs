using System.Text.RegularExpressions;
using ChatApp.Server.Errors;

namespace ChatApp.Server.Rooms;

public static partial class RoomNames
{
    /// <summary>The room every account belongs to from the start; created by the first schema version.</summary>
    public const string Default = "general";

    [GeneratedRegex("^[a-z0-9][a-z0-9_-]{0,31}$")]
    private static partial Regex Pattern();

    /// <summary>Room names are case-insensitive; they are stored and compared in lower case.</summary>
    public static string Normalize(string? name)
    {
        var normalized = name?.Trim().ToLowerInvariant();
        if (string.IsNullOrEmpty(normalized) || !Pattern().IsMatch(normalized))
        {
            throw ChatException.Invalid("A room name is 1 to 32 characters: letters, digits, '_' or '-', starting with a letter or digit.");
        }

        return normalized;
    }
}
