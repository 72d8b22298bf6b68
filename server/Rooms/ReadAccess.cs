using ChatApp.Server.Errors;

namespace ChatApp.Server.Rooms;

/// <summary>
/// The one rule of "a room you can read": a public room, by anyone; a private room (DMs are private), by its
/// members only. To anyone else a private room looks exactly like one that does not exist, whatever they tried.
/// Queries that filter many rooms at once (the room list, search) state the same rule in their own terms.
/// </summary>
public static class ReadAccess
{
    public static bool CanRead(bool isPrivate, bool isMember) => !isPrivate || isMember;

    /// <summary>The refusal for a room the caller cannot read: the words a missing room gets too.</summary>
    public static ChatException NoReadableRoom(string name) =>
        ChatException.NotFound($"There is no room named '{name}' that you can read.");

    /// <summary>
    /// Refuses a caller who is not a member: as a missing room if they cannot even read it, otherwise with
    /// <paramref name="readerRefusal"/> (which may then say why, since the room is no secret to them).
    /// </summary>
    public static ChatException RefuseNonMember(string name, bool isPrivate, ChatException readerRefusal) =>
        CanRead(isPrivate, isMember: false) ? readerRefusal : NoReadableRoom(name);
}
