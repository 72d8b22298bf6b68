using System.Globalization;

namespace ChatApp.Cli.Chat;

/// <summary>
/// How a command names a message: <c>#12</c> or <c>12</c> (its seq, as the transcript shows it) in the current
/// room, <c>dev#12</c> or <c>@alice#12</c> in another room (as search results show them), or <c>last</c>.
/// </summary>
internal readonly record struct MessageRef(string Room, long Seq)
{
    public const string Forms = "#12 (the number the transcript shows), ROOM#12, or last";

    /// <param name="ownOnly">Whether <c>last</c> means our own last message (edit, delete) or anyone's (react).</param>
    public static MessageRef Parse(string text, string? currentRoom, EntryFormatter formatter, bool ownOnly)
    {
        var hash = text.LastIndexOf('#');
        var roomPart = hash > 0 ? text[..hash] : null;
        var seqPart = hash >= 0 ? text[(hash + 1)..] : text;
        var room = roomPart is null ? currentRoom : formatter.RoomName(roomPart);
        if (room is null)
        {
            throw new CliException("You are not in a room: /join ROOM first, or name the room (ROOM#12).");
        }

        if (string.Equals(seqPart, "last", StringComparison.OrdinalIgnoreCase))
        {
            return formatter.Recent.Last(room, ownOnly) is { } last
                ? new MessageRef(room, last)
                : throw new CliException($"No {(ownOnly ? "message of yours" : "message")} in {formatter.Label(room)} shown yet to call 'last'; name it by its number (#12).");
        }

        return long.TryParse(seqPart, NumberStyles.None, CultureInfo.InvariantCulture, out var seq) && seq > 0
            ? new MessageRef(room, seq)
            : throw new CliException($"'{text}' does not name a message: use {Forms}.");
    }
}
