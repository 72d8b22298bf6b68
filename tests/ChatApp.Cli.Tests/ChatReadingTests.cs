using System.Globalization;

namespace ChatApp.Cli.Tests;

/// <summary>How the terminal reads: what you type shows once, times are local, the help lists every command, search works from scripts.</summary>
public sealed class ChatReadingTests : IAsyncLifetime
{
    private const string EraseRow = "\u001b[1A\u001b[2K";
    private readonly ChatTestServer _server = new();

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    private static int Count(string text, string part) => (text.Length - text.Replace(part, "", StringComparison.Ordinal).Length) / part.Length;

    [Fact]
    public async Task InATerminalATypedMessageIsErasedAndShowsOnceFromTheLog()
    {
        await _server.LoginAsync("alice");
        var chat = await ChatRun.StartAsync(_server, terminal: 20);

        // The terminal echoed the 11 typed characters on one row: that row goes, and the entry is written in its place.
        var line = await chat.TypeAsync("hello there", "alice: hello there");
        Assert.Matches(@"^\u001b\[1A\u001b\[2K\d\d:\d\d \[general\] #1 alice: hello there$", line);
        Assert.Equal(1, Count(chat.Output.Text, EraseRow));

        // 45 characters wrapped onto three rows of 20.
        var longLine = new string('x', 40) + " long";
        await chat.TypeAsync(longLine, "alice: " + longLine);
        Assert.Equal(4, Count(chat.Output.Text, EraseRow));

        // 12 CJK characters take 24 columns: two rows, though 12 characters would fit in one.
        await chat.TypeAsync("日本語のメッセージです。", "alice: 日本語のメッセージです。");
        Assert.Equal(6, Count(chat.Output.Text, EraseRow));

        // Commands stay as typed: what they print answers them.
        await chat.TypeAsync("/who", "* in general:");
        await chat.QuitAsync();
        Assert.Equal(6, Count(chat.Output.Text, EraseRow));
        Assert.Single(chat.Output.Lines, l => l.Contains("hello there", StringComparison.Ordinal));
    }

    [Fact]
    public async Task WithRedirectedStreamsNothingIsErasedAndNoEscapeSequenceIsWritten()
    {
        await _server.LoginAsync("alice");
        var chat = await ChatRun.StartAsync(_server);

        await chat.TypeAsync("plain text", "alice: plain text");
        await chat.QuitAsync();

        Assert.DoesNotContain('\u001b', chat.Output.Text);
    }

    [Fact]
    public async Task MessageTimesAreLocalAndCarryTheDateWhenNotToday()
    {
        await _server.LoginAsync("alice");
        var clock = new ShiftedClock(TimeSpan.FromHours(5.5));
        var chat = await ChatRun.StartAsync(_server, clock: clock);

        var line = await chat.TypeAsync("tick", "alice: tick");
        var sentAt = Assert.Single(await _server.HistoryAsync(await _server.TokenForAsync("alice"), "general")).SentAt;
        Assert.Equal($"{Time(sentAt, clock.LocalTimeZone)} [general] #1 alice: tick", line);

        // Two days later the same message shows its date.
        clock.Shift = TimeSpan.FromDays(2);
        var old = await chat.TypeAsync("/history 1", "alice: tick");
        var local = TimeZoneInfo.ConvertTime(sentAt, clock.LocalTimeZone);
        Assert.Equal($"{local.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} [general] #1 alice: tick", old);
        await chat.QuitAsync();
    }

    private static string Time(DateTimeOffset at, TimeZoneInfo zone) =>
        TimeZoneInfo.ConvertTime(at, zone).ToString("HH:mm", CultureInfo.InvariantCulture);

    [Fact]
    public async Task HelpListsEveryCommandWithItsArguments()
    {
        await _server.LoginAsync("mona");
        var chat = await ChatRun.StartAsync(_server);

        await chat.TypeAsync("/help", "/quit");
        // A command without what it needs, or one that does not exist, answers with one line saying what to type.
        await chat.TypeAsync("/search", line => line == "* usage: /search WORDS [in:ROOM | in:here] (search every room you can read, or one)");
        await chat.TypeAsync("/upload", line => line.StartsWith("* usage: /upload PATH [TEXT] (send a file to the current room", StringComparison.Ordinal));
        await chat.TypeAsync("/frobnicate", line => line == "* unknown command /frobnicate; /help lists the commands");
        await chat.QuitAsync();

        string[] commands =
        [
            "/join ROOM", "/dm NAME", "/create NAME [private]", "/invite NAME [ROOM]", "/remove NAME [ROOM]", "/leave [ROOM]", "/rooms [FILTER]", "/topic [TEXT]",
            "/archive [ROOM]", "/unarchive [ROOM]", "/deleteroom ROOM",
            "/who, /members", "/edit MSG TEXT", "/delete MSG", "/react [MSG] EMOJI", "/reply MSG TEXT", "/upload PATH [TEXT]", "/history [N]", "/search WORDS [in:ROOM | in:here]", "/more",
            "/context MSG", "/help", "/quit",
        ];
        Assert.All(commands, command => Assert.Contains(chat.Output.Lines, l => l.TrimStart().StartsWith(command + " ", StringComparison.Ordinal)));
        Assert.Contains("#SEQ (this room), ROOM#SEQ, or last", chat.Output.Text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("login")]
    [InlineData("register")]
    [InlineData("chat")]
    [InlineData("send")]
    [InlineData("search")]
    public async Task OptionHelpStatesEachDefaultOnce(string command)
    {
        var (exitCode, output, _) = await _server.RunAsync([command, "--help"]);

        Assert.Equal(0, exitCode);
        var options = output.Lines.Where(l => l.TrimStart().StartsWith('-')).ToList();
        Assert.NotEmpty(options);
        Assert.All(options, l => Assert.False(l.Contains("(default", StringComparison.Ordinal) && l.Contains("[default:", StringComparison.Ordinal), l));
        if (command is "login" or "register")
        {
            Assert.Equal(1, Count(Assert.Single(options, l => l.Contains("--server", StringComparison.Ordinal)), "localhost:5000"));
        }
    }

    [Fact]
    public async Task SearchFromAScriptPrintsOneResultPerLineWithRoomSenderAndTime()
    {
        await _server.LoginAsync("alice");
        await using var bob = await _server.ConnectAsync("bob", "general");
        await bob.CreateRoomAsync("market", isPrivate: false, Cancel);
        await bob.SendMessageAsync("general", "apples in general", "b-1", Cancel);
        await bob.SendMessageAsync("market", "apples at the market", "b-2", Cancel);
        var direct = await bob.OpenDirectAsync("alice", Cancel);
        await bob.SendMessageAsync(direct.Name, "apples for you", "b-3", Cancel);

        var (exitCode, output, error) = await _server.RunAsync(["search", "apples"]);
        Assert.True(exitCode == 0, error.Text);
        Assert.Equal(["[@bob] #1 bob: apples for you", "[market] #1 bob: apples at the market", "[general] #1 bob: apples in general"], output.Lines.Select(l => l[6..]));
        Assert.Contains("3 results", error.Text, StringComparison.Ordinal);

        var (_, inMarket, _) = await _server.RunAsync(["search", "apples", "--room", "market"]);
        Assert.Equal(["[market] #1 bob: apples at the market"], inMarket.Lines.Select(l => l[6..]));
        var (_, inDirect, _) = await _server.RunAsync(["search", "apples", "--room", "@bob", "--limit", "5"]);
        Assert.Equal(["[@bob] #1 bob: apples for you"], inDirect.Lines.Select(l => l[6..]));

        var (refused, _, why) = await _server.RunAsync(["search", "apples", "--room", "nowhere"]);
        Assert.Equal(ExitCodes.Failure, refused);
        Assert.Contains("There is no room named 'nowhere'", why.Text, StringComparison.Ordinal);
    }
}
