using System.Threading.Channels;
using ChatApp.Client;
using ChatApp.Contracts;

namespace ChatApp.Cli.Chat;

/// <summary>
/// The one queue everything on screen goes through: typed lines, log entries, notices and connection
/// changes. Only the screen loop reads it, so lines are never interleaved.
/// </summary>
internal sealed class ChatScreen(TextWriter output)
{
    private readonly Channel<UiEvent> _events = Channel.CreateUnbounded<UiEvent>(new UnboundedChannelOptions { SingleReader = true });

    public ChannelReader<UiEvent> Events => _events.Reader;

    public void Post(UiEvent item) => _events.Writer.TryWrite(item);

    /// <summary>A line starting with "* ", printed in its turn.</summary>
    public void Notify(string text) => Post(new NoticeEvent(text));

    public async Task WriteAsync(string line, CancellationToken cancellationToken)
    {
        await output.WriteLineAsync(line.AsMemory(), cancellationToken);
        await output.FlushAsync(cancellationToken);
    }
}

internal abstract record UiEvent;

internal sealed record InputEvent(string? Line) : UiEvent;

internal sealed record EntryEvent(ChatMessage Entry) : UiEvent;

internal sealed record NoticeEvent(string Text) : UiEvent;

internal sealed record ClosedEvent(Exception? Error) : UiEvent;

internal sealed record RoomJoinedEvent(RoomInfo Room) : UiEvent;

internal sealed record RoomLeftEvent(string Room) : UiEvent;

/// <summary>The events that are not log entries: membership changes worth a line.</summary>
internal sealed class MembershipNotices(ChatScreen screen) : ChatEvents
{
    public override Task UserJoined(string room, string userName)
    {
        screen.Notify($"{userName} joined {room}");
        return Task.CompletedTask;
    }

    public override Task UserLeft(string room, string userName)
    {
        screen.Notify($"{userName} left {room}");
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
