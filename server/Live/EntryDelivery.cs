using ChatApp.Contracts;

namespace ChatApp.Server.Live;

/// <summary>Which client event carries a log entry, by its kind; one place for the single-node and the cluster fan-out.</summary>
public static class EntryDelivery
{
    public static Task DeliverEntry(this IChatClient client, ChatMessage entry) => entry.Kind switch
    {
        EntryKinds.Edit => client.MessageEdited(entry),
        EntryKinds.Delete => client.MessageDeleted(entry),
        EntryKinds.Reaction => client.ReactionChanged(entry),
        _ => client.MessageReceived(entry),
    };
}
