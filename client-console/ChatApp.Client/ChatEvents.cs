using ChatApp.Contracts;

namespace ChatApp.Client;

/// <summary>
/// The hub's events with nothing done by default: override the ones you need. The four log events
/// (new message, edit, delete, reaction) all reach <see cref="OnEntry"/> unless overridden one by one.
/// </summary>
public abstract class ChatEvents : IChatClient
{
    /// <summary>Any entry of a room's log, whatever its kind.</summary>
    protected virtual Task OnEntry(ChatMessage entry) => Task.CompletedTask;

    public virtual Task MessageReceived(ChatMessage message) => OnEntry(message);
    public virtual Task MessageEdited(ChatMessage entry) => OnEntry(entry);
    public virtual Task MessageDeleted(ChatMessage entry) => OnEntry(entry);
    public virtual Task ReactionChanged(ChatMessage entry) => OnEntry(entry);
    public virtual Task UserOnline(string userName) => Task.CompletedTask;
    public virtual Task UserOffline(string userName) => Task.CompletedTask;
    public virtual Task UserJoined(string room, string userName) => Task.CompletedTask;
    public virtual Task UserLeft(string room, string userName) => Task.CompletedTask;
    public virtual Task Typing(string room, string userName) => Task.CompletedTask;
    public virtual Task RoomJoined(RoomInfo room) => Task.CompletedTask;
    public virtual Task RoomLeft(string room) => Task.CompletedTask;
}
