using ChatApp.Contracts;

namespace ChatApp.Cli.Tests;

/// <summary>How many password hashes <c>chatapp simulate</c> costs the server to log its bots in: counted as requests.</summary>
public sealed class SimulateLoginTests : IAsyncLifetime
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(3);
    private readonly ChatTestServer _server = new(limits: false);

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    [Fact]
    public async Task NewBotsRegisterFirstAtTwoHashesEachAndExistingBotsOnlyLogIn()
    {
        var counts = new CountingHandler.Counts();
        string[] args = ["simulate", "--server", "http://localhost", "--users", "8", "--rooms", "1", "--rate", "1", "--duration", "1s", "--warmup", "0s",
            "--bot-prefix", "hash", "--login-concurrency", "1"];

        var first = await RunAsync(args, counts);
        Assert.True(first == 0, "the first run failed");
        // The first bot finds out the hard way (a login refused, then register and login); the seven after it register first.
        Assert.Equal(8, counts.Get(ChatPaths.Register));
        Assert.Equal(9, counts.Get(ChatPaths.Login)); // 17 hashes, where logging in first would have cost 24

        counts.Reset();
        var second = await RunAsync(args, counts);
        Assert.True(second == 0, "the second run failed");
        Assert.Equal(0, counts.Get(ChatPaths.Register)); // they exist now: one login, one hash, each
        Assert.Equal(8, counts.Get(ChatPaths.Login));
    }

    private async Task<int> RunAsync(string[] args, CountingHandler.Counts counts)
    {
        var input = new TypedInput();
        input.EndInput();
        var env = _server.Environment(input, new RecordedOutput(), new RecordedOutput());
        var counted = env with
        {
            CreateHttpHandler = () => new CountingHandler(counts) { InnerHandler = env.CreateHttpHandler!() }, // in memory: always set
        };
        return await CliApp.RunAsync(args, counted, Cancel).WaitAsync(RunTimeout, Cancel);
    }

    private sealed class CountingHandler(CountingHandler.Counts counts) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            counts.Add(request.RequestUri!.AbsolutePath); // every request has its address
            return base.SendAsync(request, cancellationToken);
        }

        public sealed class Counts
        {
            private readonly Dictionary<string, int> _byPath = [];

            public void Add(string path)
            {
                lock (_byPath)
                {
                    _byPath[path] = _byPath.GetValueOrDefault(path) + 1;
                }
            }

            public int Get(string path)
            {
                lock (_byPath)
                {
                    return _byPath.GetValueOrDefault(path);
                }
            }

            public void Reset()
            {
                lock (_byPath)
                {
                    _byPath.Clear();
                }
            }
        }
    }
}
