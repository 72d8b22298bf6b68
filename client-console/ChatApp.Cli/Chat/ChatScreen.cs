using System.Threading.Channels;
using ChatApp.Client;
using ChatApp.Contracts;

namespace ChatApp.Cli.Chat;

/// <summary>
/// The one queue everything on screen goes through: typed lines, log entries, notices and connection
/// changes. Only the screen loop reads it, so lines are never interleaved.
/// </summary>
/// <param name="echoedInput">
/// True when stdin and stdout are one terminal: it shows each typed line as it is typed, and a sent message
/// comes back from the log with its seq and time, so the typed copy is erased to show it once.
/// </param>
/// <param name="width">The terminal's width in columns: a long typed line wraps onto several rows.</param>
internal sealed class ChatScreen(TextWriter output, bool echoedInput = false, Func<int>? width = null)
{
    private const string UpAndClearRow = "\u001b[1A\u001b[2K";
    private readonly Channel<UiEvent> _events = Channel.CreateUnbounded<UiEvent>(new UnboundedChannelOptions { SingleReader = true });

    // The screen loop writes lines and the input loop erases typed ones: one at a time, so an erase takes the typed rows, not a message's.
    private readonly SemaphoreSlim _writing = new(1, 1);

    public ChannelReader<UiEvent> Events => _events.Reader;

    public void Post(UiEvent item) => _events.Writer.TryWrite(item);

    /// <summary>A line starting with "* ", printed in its turn.</summary>
    public void Notify(string text) => Post(new NoticeEvent(text));

    public async Task WriteAsync(string line, CancellationToken cancellationToken)
    {
        await _writing.WaitAsync(cancellationToken);
        try
        {
            await output.WriteLineAsync(line.AsMemory(), cancellationToken);
            await output.FlushAsync(cancellationToken);
        }
        finally
        {
            _writing.Release();
        }
    }

    /// <summary>Right after a typed line was read: removes the terminal's echo of it (nothing when input is not echoed).</summary>
    public async Task EraseTypedAsync(string typed, CancellationToken cancellationToken)
    {
        if (!echoedInput)
        {
            return;
        }

        // A terminal that never said its size (a bare pty) reports 0 columns.
        var columns = width?.Invoke() is > 0 and var known ? known : 80;
        var rows = Math.Max(1, (Columns(typed) + columns - 1) / columns);
        await _writing.WaitAsync(cancellationToken);
        try
        {
            await output.WriteAsync(string.Concat(Enumerable.Repeat(UpAndClearRow, rows)).AsMemory(), cancellationToken);
            await output.FlushAsync(cancellationToken);
        }
        finally
        {
            _writing.Release();
        }
    }

    /// <summary>
    /// How many columns a terminal gives the text: CJK and emoji take two. An estimate by Unicode block, which is
    /// what terminals do too (wcwidth); a wrong guess leaves a typed row on screen or takes one row too many.
    /// </summary>
    internal static int Columns(string text)
    {
        var columns = 0;
        foreach (var rune in text.EnumerateRunes())
        {
            columns += rune.Value switch
            {
                >= 0x1100 and <= 0x115F or >= 0x2E80 and <= 0xA4CF or >= 0xAC00 and <= 0xD7A3 or >= 0xF900 and <= 0xFAFF
                    or >= 0xFE30 and <= 0xFE4F or >= 0xFF00 and <= 0xFF60 or >= 0xFFE0 and <= 0xFFE6
                    or >= 0x1F300 and <= 0x1FAFF or >= 0x20000 and <= 0x3FFFD => 2,
                _ => 1,
            };
        }

        return columns;
    }
}

internal abstract record UiEvent;

internal sealed record InputEvent(string? Line) : UiEvent;

internal sealed record EntryEvent(ChatMessage Entry) : UiEvent;

internal sealed record NoticeEvent(string Text) : UiEvent;

internal sealed record ClosedEvent(Exception? Error) : UiEvent;

internal sealed record RoomJoinedEvent(RoomInfo Room) : UiEvent;

internal sealed record RoomLeftEvent(string Room) : UiEvent;

/// <summary>Someone joined or left a room: a line, worded on the screen loop, which knows what the room is called.</summary>
internal sealed record MembershipEvent(string Room, string UserName, bool Joined) : UiEvent;

/// <summary>
/// Marks reaction entries that arrive live. Subscribed before the <see cref="ChatApp.Client.RoomFollower"/>: SignalR runs
/// an event's handlers in the order they were added, so the mark is there before the follower hands the entry on.
/// </summary>
internal sealed class LiveReactions(EntryFormatter formatter) : ChatEvents
{
    public override Task ReactionChanged(ChatMessage entry)
    {
        formatter.MarkLive(entry);
        return Task.CompletedTask;
    }
}

/// <summary>The events that are not log entries: membership changes worth a line.</summary>
internal sealed class MembershipNotices(ChatScreen screen) : ChatEvents
{
    public override Task UserJoined(string room, string userName)
    {
        screen.Post(new MembershipEvent(room, userName, Joined: true));
        return Task.CompletedTask;
    }

    public override Task UserLeft(string room, string userName)
    {
        screen.Post(new MembershipEvent(room, userName, Joined: false));
        return Task.CompletedTask;
    }

    // Membership changes go through the screen loop, which knows what is followed already
    // (our own /join also raises RoomJoined, and following a room twice would show entries twice).
    public override Task RoomJoined(RoomInfo room)
    {
        screen.Post(new RoomJoinedEvent(room));
        return Task.CompletedTask;
    }

    public override Task RoomLeft(string room)
    {
        screen.Post(new RoomLeftEvent(room));
        return Task.CompletedTask;
    }
}
