using System.Globalization;
using System.Threading.Channels;
using ChatApp.Cli.Accounts;
using ChatApp.Client;
using ChatApp.Contracts;

namespace ChatApp.Cli.Chat;

/// <summary>
/// The interactive chat. Stdin is read on its own loop into the same queue that connection events go to;
/// one loop takes from that queue and owns the screen, so output never waits for input and a message
/// arriving while someone types is printed at once. Log entries come through <see cref="RoomFollower"/>,
/// which delivers each exactly once and in seq order, across reconnects.
/// </summary>
public sealed class ChatSession : IAsyncDisposable
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

    private const int ContextOnJoin = 10;
    private const int SendAttempts = 5;
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan QuitTimeout = TimeSpan.FromSeconds(10);

    private readonly CliEnvironment _env;
    private readonly Session _session;
    private readonly ChatConnection _connection;
    private readonly Channel<UiEvent> _events = Channel.CreateUnbounded<UiEvent>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Dictionary<string, long> _lastShown = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, long> _lastMarked = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<Task> _pendingSends = [];
    private readonly CancellationTokenSource _stopInput = new();
    private readonly RoomFollower _follower;
    private readonly IDisposable _subscription;
    private string? _currentRoom;

    public ChatSession(CliEnvironment env, Session session, ChatConnection connection)
    {
        _env = env;
        _session = session;
        _connection = connection;
        _follower = new RoomFollower(connection, (entry, _) =>
        {
            _events.Writer.TryWrite(new EntryEvent(entry));
            return Task.CompletedTask;
        });
        _follower.CatchUpFailed += (room, ex) => Notify($"catching up {room} failed ({ex.Message}); it will be retried after the next reconnect");
        _subscription = connection.Subscribe(new Notices(this));
        connection.Hub.Reconnecting += ex =>
        {
            Notify("connection lost; reconnecting...");
            return Task.CompletedTask;
        };
        connection.Hub.Reconnected += _ =>
        {
            Notify("reconnected; catching up on what was missed");
            return Task.CompletedTask;
        };
        connection.Hub.Closed += ex =>
        {
            _events.Writer.TryWrite(new ClosedEvent(ex));
            return Task.CompletedTask;
        };
    }

    public async Task<int> RunAsync(string initialRoom, CancellationToken cancellationToken)
    {
        await WriteAsync($"* connected to {_session.Server} as {_session.UserName}; /help for commands", cancellationToken);
        foreach (var room in await CallAsync(ct => _connection.ListRoomsAsync(ct), cancellationToken))
        {
            if (room.IsMember && !string.Equals(room.Name, initialRoom, StringComparison.OrdinalIgnoreCase))
            {
                await _follower.FollowAsync(room.Name, room.LastSeq, cancellationToken).WaitAsync(CallTimeout, cancellationToken);
            }
        }

        await EnterRoomAsync(await CallAsync(ct => _connection.JoinRoomAsync(initialRoom, ct), cancellationToken), cancellationToken);

        var input = ReadInputAsync(_stopInput.Token);
        try
        {
            return await ScreenLoopAsync(cancellationToken);
        }
        finally
        {
            await _stopInput.CancelAsync();
            // A blocking console read cannot be cancelled; the process ends without it. Redirected readers stop here.
            _ = input.ContinueWith(static t => t.Exception, TaskScheduler.Default);
        }
    }

    private async Task ReadInputAsync(CancellationToken cancellationToken)
    {
        // Console.In's async read blocks its thread, so the loop runs on its own.
        await Task.Yield();
        try
        {
            while (await _env.In.ReadLineAsync(cancellationToken) is { } line)
            {
                _events.Writer.TryWrite(new InputEvent(line));
            }
        }
        catch (OperationCanceledException)
        {
            return;
        }

        _events.Writer.TryWrite(new InputEvent(null));
    }

    private async Task<int> ScreenLoopAsync(CancellationToken cancellationToken)
    {
        await foreach (var item in _events.Reader.ReadAllAsync(cancellationToken))
        {
            switch (item)
            {
                case EntryEvent(var entry):
                    _lastShown[entry.Room] = entry.Seq;
                    await WriteAsync(EntryFormatter.Format(entry), cancellationToken);
                    break;
                case NoticeEvent(var text):
                    await WriteAsync("* " + text, cancellationToken);
                    break;
                case RoomJoinedEvent(var room):
                    await OnRoomJoinedAsync(room, cancellationToken);
                    break;
                case RoomLeftEvent(var room):
                    await OnRoomLeftAsync(room, cancellationToken);
                    break;
                case ClosedEvent(var error):
                    await WriteAsync($"* disconnected{(error is null ? "" : ": " + error.Message)}", cancellationToken);
                    return ExitCodes.Failure;
                case InputEvent(null):
                    await QuitAsync(cancellationToken);
                    return ExitCodes.Success;
                case InputEvent({ } line):
                    if (!await HandleInputAsync(line.Trim(), cancellationToken))
                    {
                        await QuitAsync(cancellationToken);
                        return ExitCodes.Success;
                    }

                    break;
            }
        }

        return ExitCodes.Success;
    }

    /// <summary>Returns false when the user asked to quit. A failed command is reported and the chat goes on.</summary>
    private async Task<bool> HandleInputAsync(string line, CancellationToken cancellationToken)
    {
        if (line.Length == 0)
        {
            return true;
        }

        if (!line.StartsWith('/'))
        {
            Send(line);
            return true;
        }

        var parts = line.Split(' ', 2, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var argument = parts.Length > 1 ? parts[1] : null;
        try
        {
            switch (parts[0].ToLowerInvariant())
            {
                case "/quit" or "/exit":
                    return false;
                case "/help":
                    await WriteAsync(Help.TrimEnd(), cancellationToken);
                    break;
                case "/join" when argument is not null:
                    await MarkReadAsync(cancellationToken);
                    await EnterRoomAsync(await CallAsync(ct => _connection.JoinRoomAsync(argument, ct), cancellationToken), cancellationToken);
                    break;
                case "/leave":
                    await LeaveAsync(argument ?? _currentRoom, cancellationToken);
                    break;
                case "/rooms":
                    await ShowRoomsAsync(cancellationToken);
                    break;
                case "/who":
                    await ShowMembersAsync(cancellationToken);
                    break;
                case "/dm" when argument is not null:
                    await MarkReadAsync(cancellationToken);
                    await EnterRoomAsync(await CallAsync(ct => _connection.OpenDirectAsync(argument, ct), cancellationToken), cancellationToken);
                    break;
                case "/history":
                    await ShowHistoryAsync(argument, cancellationToken);
                    break;
                default:
                    await WriteAsync($"* unknown command or missing argument: {line}; /help lists the commands", cancellationToken);
                    break;
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            await WriteAsync("* " + SessionConnection.Explain(ex, _session.Server).Message, cancellationToken);
        }

        return true;
    }

    /// <summary>Sends without holding the screen: the message shows when it comes back from the log, in seq order.</summary>
    private void Send(string text)
    {
        if (_currentRoom is not { } room)
        {
            Notify("join a room first: /join ROOM");
            return;
        }

        var clientMessageId = Guid.NewGuid().ToString("N");
        _pendingSends.RemoveAll(t => t.IsCompleted);
        _pendingSends.Add(SendAsync());

        async Task SendAsync()
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
                await _connection.SendWithRetryAsync(room, text, clientMessageId, SendAttempts, timeout.Token);
            }
            catch (Exception ex)
            {
                Notify($"not sent to {room}: {SessionConnection.Explain(ex, _session.Server).Message}");
            }
        }
    }

    private async Task EnterRoomAsync(RoomInfo room, CancellationToken cancellationToken)
    {
        var positions = await _follower.PositionsAsync(cancellationToken).WaitAsync(CallTimeout, cancellationToken);
        if (!positions.ContainsKey(room.Name))
        {
            // A little context, then live: the follower streams the last few entries and continues from there.
            await _follower.FollowAsync(room.Name, Math.Max(0, room.LastSeq - ContextOnJoin), cancellationToken).WaitAsync(CallTimeout, cancellationToken);
        }

        _currentRoom = room.Name;
        var label = room.IsDirect ? $"direct conversation with {room.DirectWith}" : room.Name;
        Notify($"now in {label} (room {room.Name}); what you type goes there");
    }

    /// <summary>Someone opened a DM with us, we were invited, or we joined in another window: follow it from now on.</summary>
    private async Task OnRoomJoinedAsync(RoomInfo room, CancellationToken cancellationToken)
    {
        var positions = await _follower.PositionsAsync(cancellationToken).WaitAsync(CallTimeout, cancellationToken);
        if (positions.ContainsKey(room.Name))
        {
            return;
        }

        await _follower.FollowAsync(room.Name, Math.Max(0, room.LastSeq - ContextOnJoin), cancellationToken).WaitAsync(CallTimeout, cancellationToken);
        await WriteAsync(room.IsDirect
            ? $"* {room.DirectWith} opened a direct conversation with you; /dm {room.DirectWith} to reply"
            : $"* you are now a member of {room.Name}; /join {room.Name} to talk there", cancellationToken);
    }

    private async Task OnRoomLeftAsync(string room, CancellationToken cancellationToken)
    {
        var positions = await _follower.PositionsAsync(cancellationToken).WaitAsync(CallTimeout, cancellationToken);
        if (!positions.ContainsKey(room))
        {
            return;
        }

        await _follower.UnfollowAsync(room, cancellationToken).WaitAsync(CallTimeout, cancellationToken);
        if (string.Equals(room, _currentRoom, StringComparison.OrdinalIgnoreCase))
        {
            _currentRoom = null;
        }

        await WriteAsync($"* you are no longer a member of {room}", cancellationToken);
    }

    private async Task LeaveAsync(string? room, CancellationToken cancellationToken)
    {
        if (room is null)
        {
            await WriteAsync("* you are not in a room", cancellationToken);
            return;
        }

        await CallAsync(async ct =>
        {
            await _connection.LeaveRoomAsync(room, ct);
            return true;
        }, cancellationToken);
        await _follower.UnfollowAsync(room, cancellationToken).WaitAsync(CallTimeout, cancellationToken);
        if (string.Equals(room, _currentRoom, StringComparison.OrdinalIgnoreCase))
        {
            var positions = await _follower.PositionsAsync(cancellationToken).WaitAsync(CallTimeout, cancellationToken);
            _currentRoom = positions.Keys.Order(StringComparer.OrdinalIgnoreCase).FirstOrDefault();
        }

        await WriteAsync($"* left {room}; {(_currentRoom is null ? "no current room: /join ROOM" : "now in " + _currentRoom)}", cancellationToken);
    }

    private async Task ShowRoomsAsync(CancellationToken cancellationToken)
    {
        await MarkReadAsync(cancellationToken);
        var rooms = await CallAsync(ct => _connection.ListRoomsAsync(ct), cancellationToken);
        await WriteAsync("* rooms:", cancellationToken);
        foreach (var room in rooms.OrderByDescending(r => r.IsMember).ThenBy(r => r.Name, StringComparer.OrdinalIgnoreCase))
        {
            var name = room.IsDirect ? $"{room.Name} (direct with {room.DirectWith})" : room.Name;
            var state = !room.IsMember ? "not joined"
                : $"{room.Unread} unread{(room.Mentions > 0 ? $", {room.Mentions} mentioning you" : "")}";
            var current = string.Equals(room.Name, _currentRoom, StringComparison.OrdinalIgnoreCase) ? " <- current" : "";
            await WriteAsync($"*   {name}{(room.IsPrivate && !room.IsDirect ? " (private)" : "")}: {state}{current}", cancellationToken);
        }
    }

    private async Task ShowMembersAsync(CancellationToken cancellationToken)
    {
        if (_currentRoom is not { } room)
        {
            await WriteAsync("* you are not in a room", cancellationToken);
            return;
        }

        var members = await CallAsync(ct => _connection.GetRoomMembersAsync(room, ct), cancellationToken);
        var names = members.OrderByDescending(m => m.Online).ThenBy(m => m.UserName, StringComparer.OrdinalIgnoreCase)
            .Select(m => m.UserName + (m.Online ? " (online)" : "") + (m.IsOwner ? " (owner)" : ""));
        await WriteAsync($"* in {room}: {string.Join(", ", names)}", cancellationToken);
    }

    private async Task ShowHistoryAsync(string? argument, CancellationToken cancellationToken)
    {
        if (_currentRoom is not { } room)
        {
            await WriteAsync("* you are not in a room", cancellationToken);
            return;
        }

        var limit = 20;
        if (argument is not null && (!int.TryParse(argument, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit < 1))
        {
            await WriteAsync("* /history takes a positive number of messages", cancellationToken);
            return;
        }

        var page = await CallAsync(ct => _connection.GetHistoryAsync(room, null, limit, ct), cancellationToken);
        await WriteAsync($"* last {page.Messages.Count} message(s) of {room}{(page.HasMore ? " (older ones exist)" : "")}:", cancellationToken);
        foreach (var message in page.Messages)
        {
            await WriteAsync(EntryFormatter.Format(message), cancellationToken);
        }
    }

    /// <summary>Moves the read marker of the current room to what was shown, so /rooms counts only what is really unread.</summary>
    private async Task MarkReadAsync(CancellationToken cancellationToken)
    {
        if (_currentRoom is { } room && _lastShown.TryGetValue(room, out var shown)
            && (!_lastMarked.TryGetValue(room, out var marked) || shown > marked))
        {
            await CallAsync(ct => _connection.MarkReadAsync(room, shown, ct), cancellationToken);
            _lastMarked[room] = shown;
        }
    }

    private async Task QuitAsync(CancellationToken cancellationToken)
    {
        try
        {
            // Messages typed just before quitting still go out.
            await Task.WhenAll(_pendingSends).WaitAsync(QuitTimeout, cancellationToken);
            await MarkReadAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Leaving anyway; what failed was already reported.
        }

        await WriteAsync("* bye", cancellationToken);
    }

    private static async Task<T> CallAsync<T>(Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(CallTimeout);
        return await call(timeout.Token);
    }

    private void Notify(string text) => _events.Writer.TryWrite(new NoticeEvent(text));

    private async Task WriteAsync(string line, CancellationToken cancellationToken)
    {
        await _env.Out.WriteLineAsync(line.AsMemory(), cancellationToken);
        await _env.Out.FlushAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        _subscription.Dispose();
        await _follower.DisposeAsync();
        _stopInput.Dispose();
        await _connection.DisposeAsync();
    }

    private abstract record UiEvent;

    private sealed record InputEvent(string? Line) : UiEvent;

    private sealed record EntryEvent(ChatMessage Entry) : UiEvent;

    private sealed record NoticeEvent(string Text) : UiEvent;

    private sealed record ClosedEvent(Exception? Error) : UiEvent;

    private sealed record RoomJoinedEvent(RoomInfo Room) : UiEvent;

    private sealed record RoomLeftEvent(string Room) : UiEvent;

    /// <summary>The events that are not log entries: membership changes worth a line.</summary>
    private sealed class Notices(ChatSession session) : ChatEvents
    {
        public override Task UserJoined(string room, string userName)
        {
            session.Notify($"{userName} joined {room}");
            return Task.CompletedTask;
        }

        public override Task UserLeft(string room, string userName)
        {
            session.Notify($"{userName} left {room}");
            return Task.CompletedTask;
        }

        // Membership changes go through the screen loop, which knows what is followed already
        // (our own /join also raises RoomJoined, and following a room twice would show entries twice).
        public override Task RoomJoined(RoomInfo room)
        {
            session._events.Writer.TryWrite(new RoomJoinedEvent(room));
            return Task.CompletedTask;
        }

        public override Task RoomLeft(string room)
        {
            session._events.Writer.TryWrite(new RoomLeftEvent(room));
            return Task.CompletedTask;
        }
    }
}
