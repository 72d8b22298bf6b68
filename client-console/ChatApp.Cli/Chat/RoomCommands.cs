using ChatApp.Client;

namespace ChatApp.Cli.Chat;

/// <summary>/join, /dm, /create, /invite, /remove, /topic, /archive, /unarchive and /deleteroom: the commands that change which rooms you (or others) are in.</summary>
internal sealed class RoomCommands(ChatConnection connection, ChatScreen screen, FollowedRooms rooms, ReadMarkers markers, EntryFormatter formatter)
{
    public async Task JoinAsync(string? room, CancellationToken cancellationToken)
    {
        var typed = room!.Trim(); // needs an argument
        if (typed.StartsWith('@'))
        {
            // A DM is shown as @alice, so that is what people type to go back to it.
            await OpenDirectAsync(typed, cancellationToken);
            return;
        }

        await markers.MarkReadAsync(rooms.Current, cancellationToken);
        var name = typed;
        await rooms.EnterAsync(await HubCalls.CallAsync(ct => connection.JoinRoomAsync(name, ct), cancellationToken), cancellationToken);
    }

    public async Task OpenDirectAsync(string? user, CancellationToken cancellationToken)
    {
        await markers.MarkReadAsync(rooms.Current, cancellationToken);
        var name = user!.Trim().TrimStart('@'); // needs an argument
        await rooms.EnterAsync(await HubCalls.CallAsync(ct => connection.OpenDirectAsync(name, ct), cancellationToken), cancellationToken);
    }

    /// <summary><c>/create NAME [private]</c>: you become its owner, and it becomes the current room.</summary>
    public async Task CreateAsync(string? argument, CancellationToken cancellationToken)
    {
        var words = argument!.Split(' ', StringSplitOptions.RemoveEmptyEntries); // needs an argument
        var isPrivate = words.Length == 2 && words[1].Equals("private", StringComparison.OrdinalIgnoreCase);
        if (words.Length > 2 || words.Length == 2 && !isPrivate && !words[1].Equals("public", StringComparison.OrdinalIgnoreCase))
        {
            throw new CliException("/create takes a name and optionally 'private': /create NAME [private]");
        }

        await markers.MarkReadAsync(rooms.Current, cancellationToken);
        var room = await HubCalls.CallAsync(ct => connection.CreateRoomAsync(words[0], isPrivate, ct), cancellationToken);
        await screen.WriteAsync(isPrivate
            ? $"* created private room {room.Name}: only people you /invite can join it"
            : $"* created room {room.Name}: anyone can /join {room.Name}", cancellationToken);
        await rooms.EnterAsync(room, cancellationToken);
    }

    /// <summary><c>/invite NAME [ROOM]</c>: owners only; the room appears at once for the person invited.</summary>
    public async Task InviteAsync(string? argument, CancellationToken cancellationToken)
    {
        var (user, room) = UserAndRoom(argument!, "invite"); // needs an argument
        await HubCalls.CallAsync(ct => connection.InviteToRoomAsync(room, user, ct), cancellationToken);
        await screen.WriteAsync($"* invited {user} to {formatter.Label(room)}", cancellationToken);
    }

    /// <summary><c>/remove NAME [ROOM]</c>: owners only (moderation).</summary>
    public async Task RemoveAsync(string? argument, CancellationToken cancellationToken)
    {
        var (user, room) = UserAndRoom(argument!, "remove"); // needs an argument
        await HubCalls.CallAsync(ct => connection.RemoveFromRoomAsync(room, user, ct), cancellationToken);
        await screen.WriteAsync($"* removed {user} from {formatter.Label(room)}", cancellationToken);
    }

    /// <summary><c>/topic</c> shows the current room's topic; <c>/topic TEXT</c> sets it (owners only: the server says so to others).</summary>
    public async Task TopicAsync(string? argument, CancellationToken cancellationToken)
    {
        var room = rooms.Current ?? throw new CliException("You are not in a room: /join ROOM first.");
        if (argument is { Length: > 0 } topic)
        {
            var changed = await HubCalls.CallAsync(ct => connection.SetRoomTopicAsync(room, topic, ct), cancellationToken);
            await screen.WriteAsync($"* topic of {formatter.Label(room)} set: {EntryFormatter.Clean(changed.Topic ?? "")}", cancellationToken);
            return;
        }

        // No call returns one room; the list is what /rooms shows too.
        var all = await HubCalls.CallAsync(ct => connection.ListRoomsAsync(ct), cancellationToken);
        var current = all.FirstOrDefault(r => string.Equals(r.Name, room, StringComparison.OrdinalIgnoreCase));
        await screen.WriteAsync(current?.Topic is { Length: > 0 } shown
            ? $"* topic of {formatter.Label(room)}: {EntryFormatter.Clean(shown)}"
            : $"* {formatter.Label(room)} has no topic; its owner can set one: /topic TEXT", cancellationToken);
    }

    /// <summary><c>/archive [ROOM]</c> and <c>/unarchive [ROOM]</c>: owners (and admins); an archived room is read only.</summary>
    public async Task SetArchivedAsync(string? argument, bool archived, CancellationToken cancellationToken)
    {
        var command = archived ? "archive" : "unarchive";
        var room = argument is { Length: > 0 } typed ? formatter.RoomName(typed.Trim()) : rooms.Current
            ?? throw new CliException($"You are not in a room: /{command} ROOM");
        await HubCalls.CallAsync(async ct =>
        {
            await connection.ArchiveRoomAsync(room, archived, ct);
            return true;
        }, cancellationToken);
        await screen.WriteAsync(archived
            ? $"* archived {formatter.Label(room)}: it can be read, but takes no new messages"
            : $"* unarchived {formatter.Label(room)}: it takes messages again", cancellationToken);
    }

    /// <summary>
    /// <c>/deleteroom ROOM</c>: owners (and admins). It asks nothing, so it takes no default: the room must be named,
    /// which is the confirmation. Members (this terminal too) then hear RoomLeft.
    /// </summary>
    public async Task DeleteRoomAsync(string? argument, CancellationToken cancellationToken)
    {
        var room = formatter.RoomName(argument!.Trim()); // needs an argument
        await HubCalls.CallAsync(async ct =>
        {
            await connection.DeleteRoomAsync(room, ct);
            return true;
        }, cancellationToken);
        await screen.WriteAsync($"* deleted room {formatter.Label(room)} for everyone", cancellationToken);
    }

    private (string User, string Room) UserAndRoom(string argument, string command)
    {
        var words = argument.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (words.Length > 2)
        {
            throw new CliException($"/{command} takes a user name and optionally a room: /{command} NAME [ROOM]");
        }

        var room = words.Length == 2 ? formatter.RoomName(words[1]) : rooms.Current
            ?? throw new CliException($"You are not in a room: /{command} NAME ROOM");
        return (words[0].TrimStart('@'), room);
    }
}
