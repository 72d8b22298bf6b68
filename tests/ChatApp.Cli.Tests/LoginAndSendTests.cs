using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text.Json;
using ChatApp.Tests;

namespace ChatApp.Cli.Tests;

/// <summary>chatapp login and send, run in process with redirected streams against a real server in memory: sessions, transports, protocols, failures.</summary>
public sealed class LoginAndSendTests : IAsyncLifetime
{
    private readonly ChatTestServer _server = new();

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    [Fact]
    public async Task LoginKeepsTheTokenInAFileOnlyItsOwnerCanRead()
    {
        await _server.TokenForAsync("dana"); // the account exists; log in, not register

        var (exitCode, output, error) = await _server.RunAsync(["login", "--server", "http://localhost", "--user", "dana"]);

        Assert.True(exitCode == 0, error.Text);
        Assert.Contains("Logged in as dana", output.Text, StringComparison.Ordinal);
        var path = Path.Combine(_server.Directory, "session.json");
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }

        using var session = JsonDocument.Parse(await File.ReadAllTextAsync(path, Cancel));
        Assert.Equal("dana", session.RootElement.GetProperty("userName").GetString());
        Assert.False(string.IsNullOrEmpty(session.RootElement.GetProperty("accessToken").GetString()));
    }

    [Fact]
    public async Task LoginWithAWrongPasswordFailsAndSavesNothing()
    {
        await _server.TokenForAsync("erin");
        var output = new RecordedOutput();
        var error = new RecordedOutput();
        var input = new TypedInput();
        input.EndInput();
        var env = _server.Environment(input, output, error, password: "wrong-password-9");

        var exitCode = await CliApp.RunAsync(["login", "--server", "http://localhost", "--user", "erin"], env, Cancel).WaitAsync(ChatTestServer.CommandTimeout, Cancel);

        Assert.NotEqual(0, exitCode);
        Assert.Contains("Wrong user name or password", error.Text, StringComparison.Ordinal);
        Assert.False(File.Exists(env.SessionPath));
    }

    [Fact]
    public async Task SendTurnsEachLineOfStdinIntoAMessage()
    {
        await _server.LoginAsync("carol");

        var (exitCode, _, error) = await _server.RunAsync(["send", "--room", "general"], new TypedInput("first line", "", "second line", "third line"));

        Assert.True(exitCode == 0, error.Text);
        Assert.Contains("Sent 3 messages to general", error.Text, StringComparison.Ordinal);
        var history = await _server.HistoryAsync(await _server.TokenForAsync("carol"), "general");
        Assert.Equal(["first line", "second line", "third line"], history.Where(m => m.Sender == "carol").Select(m => m.Text));
        Assert.Equal(history.Select(m => m.Seq).Order(), history.Select(m => m.Seq));
    }

    [Fact]
    public async Task SendWithTextSendsOneMessage()
    {
        await _server.LoginAsync("frank");

        var (exitCode, _, error) = await _server.RunAsync(["send", "--room", "general", "hello from a script"]);

        Assert.True(exitCode == 0, error.Text);
        var history = await _server.HistoryAsync(await _server.TokenForAsync("frank"), "general");
        Assert.Equal("hello from a script", Assert.Single(history).Text);
    }

    [Theory]
    [InlineData("auto", "json", WebSocketMessageType.Text)]
    [InlineData("websockets", "messagepack", WebSocketMessageType.Binary)]
    [InlineData("sse", "json", null)]
    [InlineData("longpolling", "messagepack", null)]
    public async Task SendUsesTheTransportAndProtocolItIsGiven(string transport, string protocol, WebSocketMessageType? frames)
    {
        await _server.LoginAsync("ida");
        var sockets = new ConcurrentQueue<FrameRecordingWebSocket>();
        var error = new RecordedOutput();
        var input = new TypedInput();
        input.EndInput();
        var env = _server.Environment(input, new RecordedOutput(), error);
        var observed = env with
        {
            ConfigureHttp = http =>
            {
                env.ConfigureHttp!(http); // the in-memory routing
                var open = http.WebSocketFactory!;
                http.WebSocketFactory = async (context, ct) =>
                {
                    var socket = new FrameRecordingWebSocket(await open(context, ct));
                    sockets.Enqueue(socket);
                    return socket;
                };
            },
        };

        var exitCode = await CliApp.RunAsync(["send", "--room", "general", "--transport", transport, "--protocol", protocol, $"over {transport} in {protocol}"], observed, Cancel)
            .WaitAsync(ChatTestServer.CommandTimeout, Cancel);

        Assert.True(exitCode == 0, error.Text);
        var history = await _server.HistoryAsync(await _server.TokenForAsync("ida"), "general");
        Assert.Equal($"over {transport} in {protocol}", Assert.Single(history).Text);
        if (frames is { } type)
        {
            Assert.All(sockets.SelectMany(s => s.Sent), sent => Assert.Equal(type, sent));
            Assert.NotEmpty(Assert.Single(sockets).Sent);
        }
        else
        {
            Assert.Empty(sockets);
        }
    }

    [Theory]
    [InlineData("--protocol", "xml")]
    [InlineData("--transport", "carrier-pigeon")]
    public async Task AnUnknownProtocolOrTransportIsRefusedBeforeConnecting(string option, string value)
    {
        await _server.LoginAsync("jack");

        var (exitCode, _, error) = await _server.RunAsync(["send", "--room", "general", option, value, "hello?"]);

        Assert.NotEqual(0, exitCode);
        Assert.Contains($"'{value}' is not a", error.Text, StringComparison.Ordinal);
        Assert.Empty(await _server.HistoryAsync(await _server.TokenForAsync("jack"), "general"));
    }

    [Fact]
    public async Task MessagePackOverServerSentEventsIsRefusedBeforeConnecting()
    {
        await _server.LoginAsync("kim");

        var (exitCode, _, error) = await _server.RunAsync(["send", "--room", "general", "--transport", "sse", "--protocol", "messagepack", "hello?"]);

        Assert.Equal(ExitCodes.Failure, exitCode);
        Assert.Contains("MessagePack cannot run over Server-Sent Events", error.Text, StringComparison.Ordinal);
        Assert.Empty(await _server.HistoryAsync(await _server.TokenForAsync("kim"), "general"));
    }

    [Fact]
    public async Task SendToARoomThatDoesNotExistFailsWithTheServersReason()
    {
        await _server.LoginAsync("gina");

        var (exitCode, _, error) = await _server.RunAsync(["send", "--room", "no-such-room", "hello?"]);

        Assert.Equal(ExitCodes.Failure, exitCode);
        Assert.Contains("There is no room named 'no-such-room'", error.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SendWithoutLoggingInSaysToLogIn()
    {
        var (exitCode, _, error) = await _server.RunAsync(["send", "--room", "general", "hello?"]);

        Assert.Equal(ExitCodes.NotLoggedIn, exitCode);
        Assert.Contains("chatapp login", error.Text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("auto")]
    [InlineData("longpolling")]
    public async Task SendWithATokenTheServerRefusesSaysToLogInAgain(string transport)
    {
        // Negotiate (or the first poll) answers 401 before any hub frame is exchanged.
        await new Accounts.SessionStore(Path.Combine(_server.Directory, "session.json")).SaveAsync(
            new Accounts.Session(_server.BaseAddress, "kate", "not-a-token", DateTimeOffset.UtcNow.AddHours(1)), Cancel);

        var (exitCode, _, error) = await _server.RunAsync(["send", "--room", "general", "--transport", transport, "hello?"]);

        Assert.Equal(ExitCodes.NotLoggedIn, exitCode);
        // The refused token makes it try a refresh, which this session has nothing for: log in again.
        Assert.Contains("run `chatapp login`", error.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SendWhenTheServerIsDownFailsWithAClearMessage()
    {
        // A session for a server that is not there: a real socket to a closed loopback port.
        var sessionPath = Path.Combine(_server.Directory, "down.json");
        await new Accounts.SessionStore(sessionPath).SaveAsync(
            new Accounts.Session(new Uri("http://127.0.0.1:9"), "henry", "token", DateTimeOffset.UtcNow.AddHours(1)), Cancel);
        var error = new RecordedOutput();
        var input = new TypedInput();
        input.EndInput();
        var env = new CliEnvironment { In = input, Out = new RecordedOutput(), Error = error, SessionPath = sessionPath };

        var exitCode = await CliApp.RunAsync(["send", "--room", "general", "anyone?"], env, Cancel).WaitAsync(ChatTestServer.CommandTimeout, Cancel);

        Assert.Equal(ExitCodes.Failure, exitCode);
        Assert.Contains("Cannot reach the server at http://127.0.0.1:9/", error.Text, StringComparison.Ordinal);
    }
}
