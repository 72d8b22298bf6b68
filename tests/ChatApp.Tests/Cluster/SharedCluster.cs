namespace ChatApp.Tests.Cluster;

/// <summary>Two nodes for the tests of one class that do not break anything, started on first use and stopped after the class.</summary>
public sealed class SharedCluster : IAsyncDisposable
{
    private readonly SemaphoreSlim _starting = new(1, 1);
    private ClusterNodes? _cluster;

    public async Task<ClusterNodes> GetAsync(PostgresServer postgres, CancellationToken cancellationToken)
    {
        await _starting.WaitAsync(cancellationToken);
        try
        {
            return _cluster ??= await ClusterNodes.StartAsync(postgres, count: 2, cancellationToken);
        }
        finally
        {
            _starting.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }

        _starting.Dispose();
    }
}
