using System.Net;
using System.Net.Sockets;

namespace ChatApp.Cli.Tests;

/// <summary>
/// A loopback TCP relay to a server: a second address for it that a test can take away (<see cref="Stop"/>
/// closes every relayed connection and refuses new ones), as a cluster node that dies would.
/// </summary>
public sealed class TcpRelay : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Uri _target;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<TcpClient> _clients = [];
    private Task _accepting = Task.CompletedTask;

    private TcpRelay(Uri target) => _target = target;

    public Uri Address => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");

    public static TcpRelay Start(Uri target)
    {
        var relay = new TcpRelay(target);
        relay._listener.Start();
        relay._accepting = relay.AcceptAsync(relay._stop.Token);
        return relay;
    }

    private async Task AcceptAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var inbound = await _listener.AcceptTcpClientAsync(cancellationToken);
                var outbound = new TcpClient();
                lock (_clients)
                {
                    _clients.Add(inbound);
                    _clients.Add(outbound);
                }

                _ = RelayAsync(inbound, outbound, cancellationToken);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopped.
        }
    }

    private async Task RelayAsync(TcpClient inbound, TcpClient outbound, CancellationToken cancellationToken)
    {
        try
        {
            await outbound.ConnectAsync(_target.Host, _target.Port, cancellationToken);
            var a = inbound.GetStream();
            var b = outbound.GetStream();
            await Task.WhenAny(a.CopyToAsync(b, cancellationToken), b.CopyToAsync(a, cancellationToken));
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
            // One side closed, or the relay stopped.
        }
        finally
        {
            inbound.Dispose();
            outbound.Dispose();
        }
    }

    /// <summary>Refuses new connections and cuts the open ones.</summary>
    public void Stop()
    {
        _stop.Cancel();
        _listener.Stop();
        lock (_clients)
        {
            foreach (var client in _clients)
            {
                client.Dispose();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        Stop();
        await _accepting;
        _stop.Dispose();
    }
}
