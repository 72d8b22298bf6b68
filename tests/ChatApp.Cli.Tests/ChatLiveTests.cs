using ChatApp.Contracts;
using Microsoft.AspNetCore.SignalR.Client;

namespace ChatApp.Cli.Tests;

/// <summary>chatapp chat as messages arrive: live lines, unread counts in other rooms, a dropped connection and its catch-up, the end of stdin.</summary>
public sealed class ChatLiveTests : IAsyncLifetime
{
    private readonly ChatTestServer _server = new();

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    [Fact]
    public async Task ChatShowsMessagesAsTheyArriveAndSendsWhatIsTyped()
    {
        await _server.LoginAsync("alice");
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

        Assert.Equal(0, await chat.WaitAsync(ChatTestServer.CommandTimeout, Cancel));
        var live = output.Lines.TakeWhile(line => !line.StartsWith("* last 2 message(s)", StringComparison.Ordinal));
        Assert.Single(live, line => line.EndsWith(" [general] #2 alice: hi bob", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ChatCountsUnreadMessagesInOtherRooms()
    {
        await _server.LoginAsync("ivan");
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
        Assert.Equal(0, await chat.WaitAsync(ChatTestServer.CommandTimeout, Cancel));
    }

    [Fact]
    public async Task ChatShowsTheDropAndExactlyTheMissedMessagesAfterReconnecting()
    {
        await _server.LoginAsync("kate");
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

        Assert.Equal(0, await chat.WaitAsync(ChatTestServer.CommandTimeout, Cancel));
        // Each line starts with the time the message was sent ("HH:mm ").
        var shown = output.Lines.Where(l => l.Contains(" [general] ", StringComparison.Ordinal)).Select(l => l[6..]).ToList();
        Assert.Equal(["[general] #1 leo: before", "[general] #2 leo: missed 1", "[general] #3 leo: missed 2", "[general] #4 leo: after"], shown);
    }

    [Fact]
    public async Task ChatEndsWhenStdinEnds()
    {
        await _server.LoginAsync("mona");
        var input = new TypedInput("/help");
        input.EndInput();
        var output = new RecordedOutput();

        var exitCode = await CliApp.RunAsync(["chat"], _server.Environment(input, output, new RecordedOutput()), Cancel).WaitAsync(ChatTestServer.CommandTimeout, Cancel);

        Assert.Equal(0, exitCode);
        Assert.Contains("/history [N]", output.Text, StringComparison.Ordinal);
    }
}
