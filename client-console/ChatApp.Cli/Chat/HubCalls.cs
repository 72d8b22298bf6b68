namespace ChatApp.Cli.Chat;

/// <summary>Hub calls the chat waits on: each gets the same bound, so a silent server cannot hold the screen.</summary>
internal static class HubCalls
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    public static async Task<T> CallAsync<T>(Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        return await call(timeout.Token);
    }

    public static Task CallAsync(Func<CancellationToken, Task> call, CancellationToken cancellationToken) =>
        CallAsync(async ct =>
        {
            await call(ct);
            return true;
        }, cancellationToken);
}
