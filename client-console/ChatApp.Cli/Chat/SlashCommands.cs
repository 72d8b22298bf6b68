using ChatApp.Cli.Accounts;
using ChatApp.Client;

namespace ChatApp.Cli.Chat;

/// <summary>
/// What a typed line does: text is sent to the current room, a /command goes to its handler in the table.
/// A failed command is reported and the chat goes on.
/// </summary>
internal sealed class SlashCommands
{
    public const string Help = """
        Type a message and press Enter to send it to the current room. Commands:
          /join ROOM      join a room (or switch to it) and make it current
          /leave [ROOM]   leave a room (default: the current one)
          /rooms          list rooms, with unread counts
          /who            who is in the current room, and who is online
          /dm NAME        open a direct conversation with NAME
          /history [N]    show the last N messages of the current room (default 20)
          /help           this list
          /quit           leave the chat
        """;

    private delegate Task Handler(string? argument, CancellationToken cancellationToken);

    private readonly ChatConnection _connection;
    private readonly ChatScreen _screen;
    private readonly FollowedRooms _rooms;
    private readonly ReadMarkers _markers;
    private readonly MessageSender _sender;
    private readonly RoomListings _listings;
    private readonly Session _session;
    /// <summary>Each command with whether it needs an argument.</summary>
    private readonly Dictionary<string, (bool NeedsArgument, Handler Run)> _commands;

    public SlashCommands(ChatConnection connection, ChatScreen screen, FollowedRooms rooms, ReadMarkers markers, MessageSender sender, Session session)
    {
        _connection = connection;
        _screen = screen;
        _rooms = rooms;
        _markers = markers;
        _sender = sender;
        _session = session;
        _listings = new RoomListings(connection, screen, rooms);
        _commands = new(StringComparer.Ordinal)
        {
            ["/help"] = (false, (_, ct) => screen.WriteAsync(Help.TrimEnd(), ct)),
            ["/join"] = (true, JoinAsync),
            ["/leave"] = (false, (room, ct) => rooms.LeaveAsync(room ?? rooms.Current, ct)),
            ["/rooms"] = (false, ShowRoomsAsync),
            ["/who"] = (false, (_, ct) => _listings.ShowMembersAsync(ct)),
            ["/dm"] = (true, OpenDirectAsync),
            ["/history"] = (false, _listings.ShowHistoryAsync),
        };
    }

    /// <summary>Returns false when the user asked to quit.</summary>
    public async Task<bool> HandleAsync(string line, CancellationToken cancellationToken)
    {
        if (line.Length == 0)
        {
            return true;
        }

        if (!line.StartsWith('/'))
        {
            if (_rooms.Current is { } room)
            {
                _sender.Send(room, line);
            }
            else
            {
                _screen.Notify("join a room first: /join ROOM");
            }

            return true;
        }

        var parts = line.Split(' ', 2, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var name = parts[0].ToLowerInvariant();
        var argument = parts.Length > 1 ? parts[1] : null;
        if (name is "/quit" or "/exit")
        {
            return false;
        }

        try
        {
            if (_commands.TryGetValue(name, out var command) && (argument is not null || !command.NeedsArgument))
            {
                await command.Run(argument, cancellationToken);
            }
            else
            {
                await _screen.WriteAsync($"* unknown command or missing argument: {line}; /help lists the commands", cancellationToken);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            await _screen.WriteAsync("* " + SessionConnection.Explain(ex, _session.Server).Message, cancellationToken);
        }

        return true;
    }

    private async Task JoinAsync(string? room, CancellationToken cancellationToken)
    {
        await _markers.MarkReadAsync(_rooms.Current, cancellationToken);
        await _rooms.EnterAsync(await HubCalls.CallAsync(ct => _connection.JoinRoomAsync(room!, ct), cancellationToken), cancellationToken); // needs an argument
    }

    private async Task OpenDirectAsync(string? user, CancellationToken cancellationToken)
    {
        await _markers.MarkReadAsync(_rooms.Current, cancellationToken);
        await _rooms.EnterAsync(await HubCalls.CallAsync(ct => _connection.OpenDirectAsync(user!, ct), cancellationToken), cancellationToken); // needs an argument
    }

    private async Task ShowRoomsAsync(string? _, CancellationToken cancellationToken)
    {
        await _markers.MarkReadAsync(_rooms.Current, cancellationToken);
        await _listings.ShowRoomsAsync(cancellationToken);
    }
}
