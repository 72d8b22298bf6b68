using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text.Json;
using ChatApp.Contracts;
using ChatApp.Tests;
using Microsoft.AspNetCore.SignalR.Client;

namespace ChatApp.Cli.Tests;

/// <summary>The chatapp commands, run in process with redirected streams against a real server in memory.</summary>
public sealed class CliTests : IAsyncLifetime
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(60);
    private readonly ChatTestServer _server = new();

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    private async Task<(int ExitCode, RecordedOutput Out, RecordedOutput Error)> RunAsync(string[] args, TypedInput? input = null, string session = "session.json")
    {
        var output = new RecordedOutput();
        var error = new RecordedOutput();
        input ??= new TypedInput();
        input.EndInput();
        var exitCode = await CliApp.RunAsync(args, _server.Environment(input, output, error, session), Cancel).WaitAsync(CommandTimeout, Cancel);
        return (exitCode, output, error);
    }

    private async Task LoginAsync(string user, string session = "session.json")
    {
        var (exitCode, _, error) = await RunAsync(["register", "--server", "http://localhost", "--user", user], session: session);
        Assert.True(exitCode == 0, error.Text);
    }

    [Fact]
    public async Task LoginKeepsTheTokenInAFileOnlyItsOwnerCanRead()
    {
        await _server.TokenForAsync("dana"); // the account exists; log in, not register

        var (exitCode, output, error) = await RunAsync(["login", "--server", "http://localhost", "--user", "dana"]);

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

        var exitCode = await CliApp.RunAsync(["login", "--server", "http://localhost", "--user", "erin"], env, Cancel).WaitAsync(CommandTimeout, Cancel);

        Assert.NotEqual(0, exitCode);
        Assert.Contains("Wrong user name or password", error.Text, StringComparison.Ordinal);
        Assert.False(File.Exists(env.SessionPath));
    }

    [Fact]
    public async Task SendTurnsEachLineOfStdinIntoAMessage()
    {
        await LoginAsync("carol");

        var (exitCode, _, error) = await RunAsync(["send", "--room", "general"], new TypedInput("first line", "", "second line", "third line"));

        Assert.True(exitCode == 0, error.Text);
        Assert.Contains("Sent 3 messages to general", error.Text, StringComparison.Ordinal);
        var history = await _server.HistoryAsync(await _server.TokenForAsync("carol"), "general");
        Assert.Equal(["first line", "second line", "third line"], history.Where(m => m.Sender == "carol").Select(m => m.Text));
        Assert.Equal(history.Select(m => m.Seq).Order(), history.Select(m => m.Seq));
    }

    [Fact]
    public async Task SendWithTextSendsOneMessage()
    {
        await LoginAsync("frank");

        var (exitCode, _, error) = await RunAsync(["send", "--room", "general", "hello from a script"]);

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
        await LoginAsync("ida");
        var sockets = new ConcurrentQueue<FrameRecordingWebSocket>();
        var error = new RecordedOutput();
        var input = new TypedInput();
        input.EndInput();
        var env = _server.Environment(input, new RecordedOutput(), error);
        var observed = new CliEnvironment
        {
            In = env.In,
            Out = env.Out,
            Error = env.Error,
            SessionPath = env.SessionPath,
            GetVariable = env.GetVariable,
            CreateHttpHandler = env.CreateHttpHandler,
            ReconnectDelays = env.ReconnectDelays,
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
            .WaitAsync(CommandTimeout, Cancel);

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
        await LoginAsync("jack");

        var (exitCode, _, error) = await RunAsync(["send", "--room", "general", option, value, "hello?"]);

        Assert.NotEqual(0, exitCode);
        Assert.Contains($"'{value}' is not a", error.Text, StringComparison.Ordinal);
        Assert.Empty(await _server.HistoryAsync(await _server.TokenForAsync("jack"), "general"));
    }

    [Fact]
    public async Task MessagePackOverServerSentEventsIsRefusedBeforeConnecting()
    {
        await LoginAsync("kim");

        var (exitCode, _, error) = await RunAsync(["send", "--room", "general", "--transport", "sse", "--protocol", "messagepack", "hello?"]);

        Assert.Equal(ExitCodes.Failure, exitCode);
        Assert.Contains("MessagePack cannot run over Server-Sent Events", error.Text, StringComparison.Ordinal);
        Assert.Empty(await _server.HistoryAsync(await _server.TokenForAsync("kim"), "general"));
    }

    [Fact]
    public async Task SendToARoomThatDoesNotExistFailsWithTheServersReason()
    {
        await LoginAsync("gina");

        var (exitCode, _, error) = await RunAsync(["send", "--room", "no-such-room", "hello?"]);

        Assert.Equal(ExitCodes.Failure, exitCode);
        Assert.Contains("There is no room named 'no-such-room'", error.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SendWithoutLoggingInSaysToLogIn()
    {
        var (exitCode, _, error) = await RunAsync(["send", "--room", "general", "hello?"]);

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

        var (exitCode, _, error) = await RunAsync(["send", "--room", "general", "--transport", transport, "hello?"]);

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

        var exitCode = await CliApp.RunAsync(["send", "--room", "general", "anyone?"], env, Cancel).WaitAsync(CommandTimeout, Cancel);

        Assert.Equal(ExitCodes.Failure, exitCode);
        Assert.Contains("Cannot reach the server at http://127.0.0.1:9/", error.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ChatShowsMessagesAsTheyArriveAndSendsWhatIsTyped()
    {
        await LoginAsync("alice");
        await using var bob = await _server.ConnectAsync("bob", "general");
        var bobSaw = new TaskCompletionSource<ChatMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        bob.Hub.On<ChatMessage>(nameof(IChatClient.MessageReceived), m =>
        {
            if (m.Sender == "alice")
            {
                bobSaw.TrySetResult(m);
            }
        });
        var input = new TypedInput();
        var output = new RecordedOutput();
        var error = new RecordedOutput();
        var chat = CliApp.RunAsync(["chat", "--room", "general"], _server.Environment(input, output, error), Cancel);
        await output.WaitForLineAsync("now in general");

        // Another user's message shows up while nothing is typed.
        await bob.SendMessageAsync("general", "hello alice", "b-1", Cancel);
        await output.WaitForLineAsync("bob: hello alice");

        // What alice types reaches bob, and comes back to her screen once, from the log.
        input.Type("hi bob");
        Assert.Equal("hi bob", (await bobSaw.Task.WaitAsync(ChatTestServer.Timeout, Cancel)).Text);
        await output.WaitForLineAsync("alice: hi bob");

        input.Type("/rooms");
        await output.WaitForLineAsync(line => line.Contains("general: 0 unread <- current", StringComparison.Ordinal));
        input.Type("/who");
        await output.WaitForLineAsync(line => line.StartsWith("* in general:", StringComparison.Ordinal) && line.Contains("bob (online)", StringComparison.Ordinal));
        input.Type("/history 5");
        await output.WaitForLineAsync("last 2 message(s) of general");
        input.Type("/quit");

        Assert.Equal(0, await chat.WaitAsync(CommandTimeout, Cancel));
        var live = output.Lines.TakeWhile(line => !line.StartsWith("* last 2 message(s)", StringComparison.Ordinal));
        Assert.Single(live, line => line.EndsWith(" [general] #2 alice: hi bob", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ChatCountsUnreadMessagesInOtherRooms()
    {
        await LoginAsync("ivan");
        await using var judy = await _server.ConnectAsync("judy", "general");
        await judy.CreateRoomAsync("dev", isPrivate: false, Cancel);
        var input = new TypedInput();
        var output = new RecordedOutput();
        var chat = CliApp.RunAsync(["chat"], _server.Environment(input, output, new RecordedOutput()), Cancel);
        await output.WaitForLineAsync("now in general");
        input.Type("/join dev");
        await output.WaitForLineAsync("now in dev");
        input.Type("/join general");
        await output.WaitForLineAsync(line => line.StartsWith("* now in general", StringComparison.Ordinal) && output.Lines.Count(l => l.StartsWith("* now in general", StringComparison.Ordinal)) == 2);

        await judy.SendMessageAsync("dev", "one", "j-1", Cancel);
        await judy.SendMessageAsync("dev", "two", "j-2", Cancel);
        await output.WaitForLineAsync("[dev] #2 judy: two");
        input.Type("/rooms");

        await output.WaitForLineAsync("dev: 2 unread");
        input.Type("/quit");
        Assert.Equal(0, await chat.WaitAsync(CommandTimeout, Cancel));
    }

    [Fact]
    public async Task ChatShowsTheDropAndExactlyTheMissedMessagesAfterReconnecting()
    {
        await LoginAsync("kate");
        await using (await _server.ConnectAsync("leo", "general"))
        {
            // leo is a member from here on, and posts over REST.
        }

        var leo = await _server.TokenForAsync("leo");
        await _server.PostAsync(leo, "general", "before");
        var input = new TypedInput();
        var output = new RecordedOutput();
        var chat = CliApp.RunAsync(["chat"], _server.Environment(input, output, new RecordedOutput()), Cancel);
        await output.WaitForLineAsync("leo: before");

        // The server restarts; messages posted while kate is away reach her once, in order, after the reconnect.
        await _server.RestartAsync();
        await output.WaitForLineAsync("connection lost; reconnecting");
        await _server.PostAsync(leo, "general", "missed 1");
        await _server.PostAsync(leo, "general", "missed 2");
        await output.WaitForLineAsync("reconnected");
        await output.WaitForLineAsync("leo: missed 2");
        await _server.PostAsync(leo, "general", "after");
        await output.WaitForLineAsync("leo: after");
        input.Type("/quit");

        Assert.Equal(0, await chat.WaitAsync(CommandTimeout, Cancel));
        // Each line starts with the time the message was sent ("HH:mm ").
        var shown = output.Lines.Where(l => l.Contains(" [general] ", StringComparison.Ordinal)).Select(l => l[6..]).ToList();
        Assert.Equal(["[general] #1 leo: before", "[general] #2 leo: missed 1", "[general] #3 leo: missed 2", "[general] #4 leo: after"], shown);
    }

    [Fact]
    public async Task ChatEndsWhenStdinEnds()
    {
        await LoginAsync("mona");
        var input = new TypedInput("/help");
        input.EndInput();
        var output = new RecordedOutput();

        var exitCode = await CliApp.RunAsync(["chat"], _server.Environment(input, output, new RecordedOutput()), Cancel).WaitAsync(CommandTimeout, Cancel);

        Assert.Equal(0, exitCode);
        Assert.Contains("/history [N]", output.Text, StringComparison.Ordinal);
    }
}
