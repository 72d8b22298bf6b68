using System.Threading.Channels;
using ChatApp.Contracts;

namespace ChatApp.Tests;

/// <summary>Records every hub event a connection receives, and waits (bounded) for the ones a test expects.</summary>
public sealed class EventRecorder : IChatClient
{
    private readonly Lock _lock = new();
    private readonly List<(string Name, object[] Args)> _events = [];
    private readonly Channel<bool> _changed = Channel.CreateUnbounded<bool>();

    public IReadOnlyList<(string Name, object[] Args)> Snapshot()
    {
        lock (_lock)
        {
            return [.. _events];
        }
    }

    public IReadOnlyList<ChatMessage> Entries(string name = nameof(MessageReceived)) =>
        Snapshot().Where(e => e.Name == name).Select(e => (ChatMessage)e.Args[0]).ToList();

    /// <summary>Waits until <paramref name="condition"/> holds over the recorded events, or fails after the timeout.</summary>
    public async Task WaitUntilAsync(Func<EventRecorder, bool> condition, string what, TimeSpan? timeout = null)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cts.CancelAfter(timeout ?? ChatServer.Timeout);
        try
        {
            while (!condition(this))
            {
                await _changed.Reader.ReadAsync(cts.Token);
            }
        }
        catch (OperationCanceledException) when (!TestContext.Current.CancellationToken.IsCancellationRequested)
        {
            var seen = string.Join(", ", Snapshot().Select(e => e.Name));
            Assert.Fail($"Timed out waiting for {what}. Events seen: [{seen}]");
        }
    }

    public Task<IReadOnlyList<ChatMessage>> WaitForMessagesAsync(int count, string? room = null) =>
        WaitForAsync(nameof(MessageReceived), count, room);

    public async Task<IReadOnlyList<ChatMessage>> WaitForAsync(string name, int count, string? room = null)
    {
        await WaitUntilAsync(r => r.Entries(name).Count(m => room is null || m.Room == room) >= count, $"{count} {name} events");
        return Entries(name).Where(m => room is null || m.Room == room).ToList();
    }

    /// <summary>Waits for <paramref name="count"/> events named <paramref name="name"/> and returns their arguments.</summary>
    public async Task<IReadOnlyList<object[]>> WaitForEventsAsync(string name, int count)
    {
        await WaitUntilAsync(r => r.Snapshot().Count(e => e.Name == name) >= count, $"{count} {name} events");
        return Snapshot().Where(e => e.Name == name).Select(e => e.Args).ToList();
    }

    /// <summary>The newest of UserOnline/UserOffline received about <paramref name="userName"/>, or null.</summary>
    public string? LastPresenceOf(string userName) => Snapshot()
        .LastOrDefault(e => e.Name is nameof(UserOnline) or nameof(UserOffline) && (string)e.Args[0] == userName).Name;

    private Task Record(string name, params object[] args)
    {
        lock (_lock)
        {
            _events.Add((name, args));
        }

        _changed.Writer.TryWrite(true);
        return Task.CompletedTask;
    }

    public Task MessageReceived(ChatMessage message) => Record(nameof(MessageReceived), message);
    public Task MessageEdited(ChatMessage entry) => Record(nameof(MessageEdited), entry);
    public Task MessageDeleted(ChatMessage entry) => Record(nameof(MessageDeleted), entry);
    public Task ReactionChanged(ChatMessage entry) => Record(nameof(ReactionChanged), entry);
    public Task UserOnline(string userName) => Record(nameof(UserOnline), userName);
    public Task UserOffline(string userName) => Record(nameof(UserOffline), userName);
    public Task UserJoined(string room, string userName) => Record(nameof(UserJoined), room, userName);
    public Task UserLeft(string room, string userName) => Record(nameof(UserLeft), room, userName);
    public Task Typing(string room, string userName) => Record(nameof(Typing), room, userName);
    public Task RoomJoined(RoomInfo room) => Record(nameof(RoomJoined), room);
    public Task RoomLeft(string room) => Record(nameof(RoomLeft), room);
    public Task RoomChanged(string room) => Record(nameof(RoomChanged), room);
}
