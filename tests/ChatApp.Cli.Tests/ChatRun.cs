namespace ChatApp.Cli.Tests;

/// <summary>A <c>chatapp chat</c> running in process against the test server: the test types lines and waits (bounded) for what it prints.</summary>
public sealed class ChatRun
{
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(60);

    private ChatRun(TypedInput input, RecordedOutput output, Task<int> exit)
    {
        Input = input;
        Output = output;
        Exit = exit;
    }

    public TypedInput Input { get; }

    public RecordedOutput Output { get; }

    public Task<int> Exit { get; }

    /// <summary>Starts the chat (the user must be logged in) and waits until it has entered its first room.</summary>
    /// <param name="sessionName">The session file, for a second CLI user logged in with that name.</param>
    public static async Task<ChatRun> StartAsync(ChatTestServer server, int? terminal = null, TimeProvider? clock = null, string room = "general", string sessionName = "session.json")
    {
        var input = new TypedInput();
        var output = new RecordedOutput();
        var exit = CliApp.RunAsync(["chat", "--room", room], server.Environment(input, output, new RecordedOutput(), sessionName, terminal: terminal, clock: clock), TestContext.Current.CancellationToken);
        var run = new ChatRun(input, output, exit);
        await output.WaitForLineAsync("* now in " + room);
        return run;
    }

    /// <summary>Types a line and waits for the first line printed after it that contains <paramref name="expected"/>.</summary>
    public Task<string> TypeAsync(string line, string expected) =>
        TypeAsync(line, printed => printed.Contains(expected, StringComparison.Ordinal));

    public Task<string> TypeAsync(string line, Func<string, bool> expected)
    {
        var before = Output.Lines.Count;
        Input.Type(line);
        return Output.WaitForLineAfterAsync(before, expected);
    }

    /// <summary>Types a line and returns everything printed after it, up to and including the line that contains <paramref name="last"/>.</summary>
    public async Task<IReadOnlyList<string>> TypeAndCollectAsync(string line, string last)
    {
        var before = Output.Lines.Count;
        Input.Type(line);
        var end = await Output.WaitForLineAfterAsync(before, printed => printed.Contains(last, StringComparison.Ordinal));
        var lines = Output.Lines.Skip(before).ToList();
        return lines[..(lines.IndexOf(end) + 1)];
    }

    public async Task QuitAsync()
    {
        Input.Type("/quit");
        Assert.Equal(0, await Exit.WaitAsync(ExitTimeout, TestContext.Current.CancellationToken));
    }
}

/// <summary>The machine's clock, moved by <see cref="Shift"/>, in a time zone of the test's choosing.</summary>
public sealed class ShiftedClock(TimeSpan utcOffset) : TimeProvider
{
    public TimeSpan Shift { get; set; }

    public override TimeZoneInfo LocalTimeZone { get; } = TimeZoneInfo.CreateCustomTimeZone("test", utcOffset, "test", "test");

    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + Shift;
}
