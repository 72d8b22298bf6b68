namespace ChatApp.Server.Live;

/// <summary>
/// Who is online beyond this node's own connections (<see cref="ConnectionRegistry"/>). A single server has
/// no elsewhere (<see cref="NowhereElse"/>); a cluster node asks the others through Redis.
/// </summary>
public interface IOnlineElsewhere
{
    /// <summary>
    /// Records that this node now has (or no longer has) a connection of the user, and answers, in the same
    /// step, whether another node has one: of two nodes changing at once exactly one sees the other.
    /// </summary>
    Task<bool> SetAsync(long userId, string userName, bool online, CancellationToken cancellationToken);

    /// <summary>Whether another node has a connection of the user.</summary>
    Task<bool> IsOnlineAsync(long userId, CancellationToken cancellationToken);

    /// <summary>Those of <paramref name="userIds"/> that another node has a connection of.</summary>
    Task<IReadOnlySet<long>> OnlineAsync(IReadOnlyCollection<long> userIds, CancellationToken cancellationToken);
}

/// <summary>One server: nobody is online anywhere else, at no cost.</summary>
public sealed class NowhereElse : IOnlineElsewhere
{
    private static readonly Task<IReadOnlySet<long>> None = Task.FromResult<IReadOnlySet<long>>(new HashSet<long>());

    private static readonly Task<bool> Nobody = Task.FromResult(false);

    public Task<bool> SetAsync(long userId, string userName, bool online, CancellationToken cancellationToken) => Nobody;

    public Task<bool> IsOnlineAsync(long userId, CancellationToken cancellationToken) => Nobody;

    public Task<IReadOnlySet<long>> OnlineAsync(IReadOnlyCollection<long> userIds, CancellationToken cancellationToken) => None;
}
