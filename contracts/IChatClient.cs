namespace ChatApp.Contracts;

/// <summary>The events the hub pushes to clients. Method names are the wire names.</summary>
public interface IChatClient
{
    /// <summary>An entry was appended to a room's log: a new message, or (with <see cref="ChatMessage.Kind"/>) an edit, delete or reaction.</summary>
    Task MessageReceived(ChatMessage message);
}
