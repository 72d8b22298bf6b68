namespace ChatApp.Server.Data;

/// <summary>
/// Where the <see cref="DatabaseWriter"/> hands a committed batch's live effects (log entries, and whatever
/// else commands staged with <see cref="WriteContext.AfterCommit"/>), in commit order. The live fan-out
/// implements it, so storage calls no feature and knows nothing of hubs or groups.
/// </summary>
public interface ICommittedEffects
{
    /// <summary>Called once per committed batch, after the commit and before any caller resumes; must not block.</summary>
    void Publish(IReadOnlyList<object> effects);
}
