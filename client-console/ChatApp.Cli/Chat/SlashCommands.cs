using ChatApp.Cli.Accounts;
using ChatApp.Client;

namespace ChatApp.Cli.Chat;

/// <summary>
/// What a typed line does: text is sent to the current room, a /command goes to its handler in the table.
/// A failed command is reported as one line and the chat goes on.
/// </summary>
internal sealed class SlashCommands
{
    public const string Help = """
        Type a message and press Enter to send it to the current room. Each message shows as
        "TIME [ROOM] #SEQ SENDER: TEXT"; name one by #SEQ (this room), ROOM#SEQ, or last.
        Rooms:
          /join ROOM             join a room (or switch to it) and make it current
          /dm NAME               open a direct conversation with NAME (shown as @NAME)
          /create NAME [private] create a room (private: by invitation only) and make it current
          /invite NAME [ROOM]    invite NAME to a room you own (default: the current one)
          /remove NAME [ROOM]    take NAME out of a room you own
          /leave [ROOM]          leave a room (default: the current one)
          /rooms [FILTER]        your rooms with unread counts and topics, then the others you can join
          /topic [TEXT]          show the current room's topic, or set it (owners only)
          /archive [ROOM]        make a room you own read only (default: the current one)
          /unarchive [ROOM]      let an archived room you own take messages again
          /deleteroom ROOM       delete a room you own, for everyone (asks nothing: name it)
          /who, /members         who is in the current room, and who is online
        Messages:
          /edit MSG TEXT         replace the text of your message (/edit last fixed typo)
          /delete MSG            delete your message (owners: any message in their room)
          /react [MSG] EMOJI     add a reaction (default: the last message); the same again takes it back
          /reply MSG TEXT        answer a message; the answer shows a quote of it (/reply #12 agreed)
          /upload PATH [TEXT]    send a file to the current room, with optional text; others get its download URL
          /history [N]           show the last N messages of the current room (default 20)
          /search WORDS [in:ROOM | in:here]   search every room you can read, or one
          /more                  the next page of the last search
          /context MSG           the messages around one, e.g. a search result (/context dev#12)
        Other:
          /help                  this list
          /quit                  leave the chat
        """;

    private delegate Task Handler(string? argument, CancellationToken cancellationToken);

    private readonly ChatScreen _screen;
    private readonly FollowedRooms _rooms;
    private readonly MessageSender _sender;
    private readonly Session _session;

    /// <summary>Each command with whether it needs an argument.</summary>
    private readonly Dictionary<string, (bool NeedsArgument, Handler Run)> _commands;

    public SlashCommands(ChatConnection connection, ChatScreen screen, FollowedRooms rooms, ReadMarkers markers, MessageSender sender, Session session, EntryFormatter formatter, ChatAttachments attachments)
    {
        _screen = screen;
        _rooms = rooms;
        _sender = sender;
        _session = session;
        var listings = new RoomListings(connection, screen, rooms, formatter);
        var roomCommands = new RoomCommands(connection, screen, rooms, markers, formatter);
        var messages = new MessageCommands(connection, screen, rooms, formatter);
        var search = new SearchCommands(connection, screen, rooms, formatter);
        var compose = new ComposeCommands(connection, attachments, rooms, formatter);
        async Task ShowRoomsAsync(string? filter, CancellationToken cancellationToken)
        {
            // Leaving the current room's view for the list: what was shown of it is read.
            await markers.MarkReadAsync(rooms.Current, cancellationToken);
            await listings.ShowRoomsAsync(filter, cancellationToken);
        }

        _commands = new(StringComparer.Ordinal)
        {
            ["/help"] = (false, (_, ct) => screen.WriteAsync(Help.TrimEnd(), ct)),
            ["/join"] = (true, roomCommands.JoinAsync),
            ["/dm"] = (true, roomCommands.OpenDirectAsync),
            ["/create"] = (true, roomCommands.CreateAsync),
            ["/invite"] = (true, roomCommands.InviteAsync),
            ["/remove"] = (true, roomCommands.RemoveAsync),
            ["/topic"] = (false, roomCommands.TopicAsync),
            ["/archive"] = (false, (room, ct) => roomCommands.SetArchivedAsync(room, archived: true, ct)),
            ["/unarchive"] = (false, (room, ct) => roomCommands.SetArchivedAsync(room, archived: false, ct)),
            ["/deleteroom"] = (true, roomCommands.DeleteRoomAsync),
            ["/leave"] = (false, rooms.LeaveAsync),
            ["/rooms"] = (false, ShowRoomsAsync),
            ["/who"] = (false, (_, ct) => listings.ShowMembersAsync(ct)),
            ["/members"] = (false, (_, ct) => listings.ShowMembersAsync(ct)),
            ["/edit"] = (true, messages.EditAsync),
            ["/delete"] = (true, messages.DeleteAsync),
            ["/react"] = (true, messages.ReactAsync),
            ["/reply"] = (true, compose.ReplyAsync),
            ["/upload"] = (true, compose.UploadAsync),
            ["/history"] = (false, listings.ShowHistoryAsync),
            ["/search"] = (true, search.SearchAsync),
            ["/more"] = (false, search.MoreAsync),
            ["/context"] = (true, search.ContextAsync),
        };
    }

    /// <summary>A typed line that goes out as a message (not a command, not empty): the one the terminal's echo of can go.</summary>
    public static bool IsMessage(string line) => line.Trim() is { Length: > 0 } text && !text.StartsWith('/');

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
                _screen.Notify($"not sent (\"{EntryFormatter.Clean(line)}\"): join a room first: /join ROOM");
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
            if (!_commands.TryGetValue(name, out var command))
            {
                await _screen.WriteAsync($"* unknown command {parts[0]}; /help lists the commands", cancellationToken);
            }
            else if (argument is null && command.NeedsArgument)
            {
                await _screen.WriteAsync($"* usage: {Usage(name)}", cancellationToken);
            }
            else
            {
                await command.Run(argument, cancellationToken);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            await _screen.WriteAsync("* " + SessionConnection.Explain(ex, _session.Server).Message, cancellationToken);
        }

        return true;
    }

    /// <summary>The command's line of the help, as "/edit MSG TEXT (replace the text of your message ...)".</summary>
    private static string Usage(string name)
    {
        var line = Help.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith(name + " ", StringComparison.Ordinal));
        if (line is null)
        {
            return "/help lists the commands";
        }

        var gap = line.IndexOf("  ", StringComparison.Ordinal);
        return gap < 0 ? line : $"{line[..gap]} ({line[gap..].Trim()})";
    }
}
