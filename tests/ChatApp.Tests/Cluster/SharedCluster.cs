namespace ChatApp.Tests.Cluster;

/// <summary>Two nodes for the tests of one class that do not break anything, started on first use and stopped after the class.</summary>
public class SharedCluster : IAsyncDisposable
{
    private readonly SemaphoreSlim _starting = new(1, 1);
    private ClusterNodes? _cluster;

    /// <summary>Settings the nodes start with beyond ClusterNodes' own (a class that needs other limits, say).</summary>
    protected virtual IReadOnlyDictionary<string, string>? Settings => null;

    public async Task<ClusterNodes> GetAsync(PostgresServer postgres, CancellationToken cancellationToken)
    {
        await _starting.WaitAsync(cancellationToken);
        try
        {
            return _cluster ??= await ClusterNodes.StartAsync(postgres, count: 2, cancellationToken, Settings);
        }
        finally
        {
            _starting.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }

        _starting.Dispose();
    }
}
