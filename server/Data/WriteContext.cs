using ChatApp.Contracts;

namespace ChatApp.Server.Data;

/// <summary>What a command sees while it runs inside the writer's transaction.</summary>
public sealed class WriteContext(ChatDbContext db, List<object> effects)
{
    public ChatDbContext Db { get; } = db;

    /// <summary>Marks a log entry for fan-out once the transaction has committed.</summary>
    public void Append(ChatMessage entry) => effects.Add(entry);

    /// <summary>Marks any other live effect (a group change, say) for after the commit, in order with the entries.</summary>
    public void AfterCommit(object effect) => effects.Add(effect);
}
