using System.Net.Http.Json;
using ChatApp.Client;
using ChatApp.Contracts;
using ChatApp.Tests;

namespace ChatApp.Cli.Tests;

/// <summary>
/// <see cref="ChatTestHost"/> with what the CLI tests need on top: the CLI's environment pointed at this
/// server, and a second user's connection, history and posts to check what the CLI did.
/// </summary>
/// <param name="kestrel">A loopback port, for tests that run the CLI as a real process.</param>
/// <param name="limits">False for load tests, which send faster than the rate limits let one user or address.</param>
public sealed class ChatTestServer(bool kestrel = false, bool limits = true, IDictionary<string, string>? settings = null)
    : ChatTestHost(settings, kestrel, limits)
{
    /// <summary>The CLI's view of the world: redirected streams, a session file in the temp folder, and this server.</summary>
    /// <param name="terminal">For the chat as in a terminal that echoes what is typed: its width in columns; null for redirected streams.</param>
    /// <param name="clock">The clock and time zone message times are shown in; null for the machine's.</param>
    public CliEnvironment Environment(TextReader input, TextWriter output, TextWriter error, string sessionName = "session.json", string? password = Password, int? terminal = null, TimeProvider? clock = null) => new()
    {
        EchoesInput = terminal is not null,
        TerminalWidth = () => terminal ?? 80,
        Clock = clock ?? TimeProvider.System,
        In = input,
        Out = output,
        Error = error,
        SessionPath = Path.Combine(Directory, sessionName),
        GetVariable = name => name == "CHATAPP_PASSWORD" ? password : null,
        // Read on every connect, so a reconnect after RestartAsync reaches the new host.
        ConfigureHttp = Kestrel ? null : http => InMemoryTransport.Route(http, () => TestServer),
        CreateHttpHandler = Kestrel ? null : () => TestServer.CreateHandler(),
        // About 15 s in all: a restart of the test host took more than the 5 s these used to allow on a busy machine.
        ReconnectDelays = [TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(4)],
    };

    /// <summary>How long one chatapp command may run in a test.</summary>
    public static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(60);

    /// <summary>Runs one chatapp command in process to its end, with <paramref name="input"/> (closed first, so the command sees the end of stdin).</summary>
    public async Task<(int ExitCode, RecordedOutput Out, RecordedOutput Error)> RunAsync(
        string[] args, TypedInput? input = null, string sessionName = "session.json", TimeSpan? timeout = null)
    {
        var (output, error) = (new RecordedOutput(), new RecordedOutput());
        input ??= new TypedInput();
        input.EndInput();
        var cancel = TestContext.Current.CancellationToken;
        var exitCode = await CliApp.RunAsync(args, Environment(input, output, error, sessionName), cancel).WaitAsync(timeout ?? CommandTimeout, cancel);
        return (exitCode, output, error);
    }

    /// <summary><c>chatapp register</c> as <paramref name="user"/>, leaving the session file the next commands use.</summary>
    public async Task LoginAsync(string user, string sessionName = "session.json")
    {
        var (exitCode, _, error) = await RunAsync(["register", "--server", "http://localhost", "--user", user], sessionName: sessionName);
        Assert.True(exitCode == 0, error.Text);
    }

    public async Task<string> TokenForAsync(string userName)
    {
        using var http = CreateHttpClient();
        return (await new ChatAccounts(http).LoginOrRegisterAsync(userName, Password, TestContext.Current.CancellationToken)).AccessToken;
    }

    /// <summary>A started hub connection as <paramref name="userName"/>, joined to <paramref name="rooms"/>.</summary>
    public async Task<ChatConnection> ConnectAsync(string userName, params string[] rooms)
    {
        var token = await TokenForAsync(userName);
        var connection = new ChatConnection(BaseAddress, _ => ValueTask.FromResult<string?>(token), ChatConnectionOptions.WebSocketsDirect with
        {
            ReconnectDelays = [TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(1)],
            ConfigureHttp = Kestrel ? null : http => InMemoryTransport.Route(http, () => TestServer),
        });
        await connection.StartAsync(TestContext.Current.CancellationToken).WaitAsync(Timeout, TestContext.Current.CancellationToken);
        foreach (var room in rooms)
        {
            await connection.JoinRoomAsync(room, TestContext.Current.CancellationToken).WaitAsync(Timeout, TestContext.Current.CancellationToken);
        }

        return connection;
    }

    public async Task<IReadOnlyList<ChatMessage>> HistoryAsync(string token, string room)
    {
        using var http = CreateHttpClient(token);
        var page = await http.GetFromJsonAsync<HistoryPage>($"{ChatPaths.Rooms}/{room}/messages?limit=200", TestContext.Current.CancellationToken);
        return page!.Messages; // a 200 always has a body
    }

    public async Task PostAsync(string token, string room, string text)
    {
        using var http = CreateHttpClient(token);
        using var response = await http.PostAsJsonAsync($"{ChatPaths.Rooms}/{room}/messages",
            new PostMessageRequest(text, Guid.NewGuid().ToString("N")), TestContext.Current.CancellationToken);
        response.EnsureSuccessStatusCode();
    }
}
