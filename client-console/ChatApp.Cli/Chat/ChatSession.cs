using ChatApp.Cli.Accounts;
using ChatApp.Client;

namespace ChatApp.Cli.Chat;

/// <summary>
/// The interactive chat. Stdin is read on its own loop into the same queue that connection events go to;
/// one loop takes from that queue and owns the screen, so output never waits for input and a message
/// arriving while someone types is printed at once. Log entries come through <see cref="RoomFollower"/>,
/// which delivers each exactly once and in seq order, across reconnects. Typed lines go to
/// <see cref="SlashCommands"/>.
/// </summary>
public sealed class ChatSession : IAsyncDisposable
{
    public const string Help = SlashCommands.Help;

    private static readonly TimeSpan QuitTimeout = TimeSpan.FromSeconds(10);

    private readonly CliEnvironment _env;
    private readonly Session _session;
    private readonly ChatConnection _connection;
    private readonly ChatScreen _screen;
    private readonly EntryFormatter _formatter;
    private readonly ReadMarkers _markers;
    private readonly MessageSender _sender;
    private readonly FollowedRooms _rooms;
    private readonly SlashCommands _commands;
    private readonly CancellationTokenSource _stopInput = new();
    private readonly RoomFollower _follower;
    private readonly IDisposable _subscription;
    private readonly IDisposable _liveReactions;
    private readonly HttpClient _http;

    public ChatSession(CliEnvironment env, Session session, ChatConnection connection)
    {
        _env = env;
        _session = session;
        _connection = connection;
        _screen = new ChatScreen(env.Out, env.EchoesInput, env.TerminalWidth);
        var screen = _screen;
        _formatter = new EntryFormatter(env.Clock, session.UserName, session.Server);
        // Before the follower subscribes: see LiveReactions.
        _liveReactions = connection.Subscribe(new LiveReactions(_formatter));
        _follower = new RoomFollower(connection, (entry, _) =>
        {
            screen.Post(new EntryEvent(entry));
            return Task.CompletedTask;
        });
        _follower.CatchUpFailed += (room, ex) => screen.Notify($"catching up {room} failed ({ex.Message}); it will be retried after the next reconnect");
        _markers = new ReadMarkers(connection);
        _sender = new MessageSender(connection, screen, session, _formatter);
        _rooms = new FollowedRooms(connection, _follower, screen, _formatter);
        _http = env.CreateHttpClient(session.Server);
        _commands = new SlashCommands(connection, screen, _rooms, _markers, _sender, session, _formatter, new ChatAttachments(_http, connection.AccessToken));
        _subscription = connection.Subscribe(new MembershipNotices(screen));
        connection.Hub.Reconnecting += ex =>
        {
            screen.Notify("connection lost; reconnecting...");
            return Task.CompletedTask;
        };
        connection.Hub.Reconnected += _ =>
        {
            screen.Notify("reconnected; catching up on what was missed");
            return Task.CompletedTask;
        };
        connection.Hub.Closed += ex =>
        {
            screen.Post(new ClosedEvent(ex));
            return Task.CompletedTask;
        };
    }

    public async Task<int> RunAsync(string initialRoom, CancellationToken cancellationToken)
    {
        await _screen.WriteAsync($"* connected to {_session.Server} as {_session.UserName}; /help for commands", cancellationToken);
        foreach (var room in await HubCalls.CallAsync(ct => _connection.ListRoomsAsync(ct), cancellationToken))
        {
            _formatter.Learn(room);
            // The first room is entered below, with some context; the others are followed from now on.
            if (room.IsMember && !string.Equals(room.Name, initialRoom, StringComparison.OrdinalIgnoreCase)
                && !string.Equals(_formatter.Label(room.Name), initialRoom, StringComparison.OrdinalIgnoreCase))
            {
                await _rooms.FollowAsync(room, cancellationToken);
            }
        }

        // --room @alice starts in the DM with alice, as /dm alice would.
        var first = await HubCalls.CallAsync(ct => initialRoom.StartsWith('@')
            ? _connection.OpenDirectAsync(initialRoom[1..], ct)
            : _connection.JoinRoomAsync(initialRoom, ct), cancellationToken);
        await _rooms.EnterAsync(first, cancellationToken);

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
                if (SlashCommands.IsMessage(line))
                {
                    // Here, before anything else is written: the echo is then the last thing on the screen.
                    await _screen.EraseTypedAsync(line, cancellationToken);
                }

                _screen.Post(new InputEvent(line));
            }
        }
        catch (OperationCanceledException)
        {
            return;
        }

        _screen.Post(new InputEvent(null));
    }

    private async Task<int> ScreenLoopAsync(CancellationToken cancellationToken)
    {
        await foreach (var item in _screen.Events.ReadAllAsync(cancellationToken))
        {
            switch (item)
            {
                case EntryEvent(var entry):
                    _markers.Shown(entry.Room, entry.Seq);
                    await _screen.WriteAsync(_formatter.Show(entry), cancellationToken);
                    break;
                case NoticeEvent(var text):
                    await _screen.WriteAsync("* " + text, cancellationToken);
                    break;
                case MembershipEvent(var room, var user, var joined):
                    // Our own joins and leaves are told by the command that made them.
                    if (!string.Equals(user, _session.UserName, StringComparison.OrdinalIgnoreCase))
                    {
                        await _screen.WriteAsync($"* {user} {(joined ? "joined" : "left")} {_formatter.Label(room)}", cancellationToken);
                    }

                    break;
                case RoomJoinedEvent(var room):
                    await _rooms.OnJoinedAsync(room, cancellationToken);
                    break;
                case RoomLeftEvent(var room):
                    await _rooms.OnLeftAsync(room, cancellationToken);
                    break;
                case ClosedEvent(var error):
                    await _screen.WriteAsync($"* disconnected{(error is null ? "" : ": " + error.Message)}", cancellationToken);
                    return ExitCodes.Failure;
                case InputEvent(null):
                    await QuitAsync(cancellationToken);
                    return ExitCodes.Success;
                case InputEvent({ } line):
                    if (!await _commands.HandleAsync(line.Trim(), cancellationToken))
                    {
                        await QuitAsync(cancellationToken);
                        return ExitCodes.Success;
                    }

                    break;
            }
        }

        return ExitCodes.Success;
    }

    private async Task QuitAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _sender.WhenSentAsync(QuitTimeout, cancellationToken);
            await _markers.MarkReadAsync(_rooms.Current, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Leaving anyway; what failed was already reported.
        }

        await _screen.WriteAsync("* bye", cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        _subscription.Dispose();
        _liveReactions.Dispose();
        await _follower.DisposeAsync();
        _stopInput.Dispose();
        await _connection.DisposeAsync();
        _http.Dispose();
    }
}
