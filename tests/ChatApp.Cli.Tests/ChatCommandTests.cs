using ChatApp.Contracts;
using Microsoft.AspNetCore.SignalR.Client;

namespace ChatApp.Cli.Tests;

/// <summary>The chat's commands for messages and rooms, typed into <c>chatapp chat</c> and checked on the server and on screen.</summary>
public sealed class ChatCommandTests : IAsyncLifetime
{
    private readonly ChatTestServer _server = new();

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    [Fact]
    public async Task EditReactAndDeleteTypedInTheChatChangeTheMessageAndShowAsReadableLines()
    {
        await _server.LoginAsync("alice");
        await using var bob = await _server.ConnectAsync("bob", "general");
        var chat = await ChatRun.StartAsync(_server);

        await chat.TypeAsync("frist draft", "[general] #1 alice: frist draft");
        await chat.TypeAsync("/edit last first draft", "alice edited #1 (was \"frist draft\"): first draft");
        await chat.TypeAsync("/react 👍", "alice reacted 👍 on #1 (alice: \"first draft\"); now 👍 1");
        await bob.ReactAsync("general", 1, "👍", Cancel);
        await chat.Output.WaitForLineAsync("bob reacted 👍 on #1 (alice: \"first draft\"); now 👍 2");
        await chat.TypeAsync("/react #1 👍", "alice took back 👍 on #1 (alice: \"first draft\"); now 👍 1");

        var message = Assert.Single(await _server.HistoryAsync(await _server.TokenForAsync("bob"), "general"));
        Assert.Equal("first draft", message.Text);
        Assert.Equal(1, Assert.Single(message.Reactions, r => r.Emoji == "👍").Count);

        // A refusal is one line with the server's reason; the chat goes on.
        var bobs = await bob.SendMessageAsync("general", "not yours", "b-1", Cancel);
        await chat.Output.WaitForLineAsync($"#{bobs.Seq} bob: not yours");
        await chat.TypeAsync($"/delete #{bobs.Seq}", line => line == "* You can only delete your own messages (the room's owner can delete any).");
        await chat.TypeAsync("/edit #99 anything", line => line == "* There is no message #99 in 'general'.");
        await chat.TypeAsync("/edit last", "/edit needs the message and its new text");

        await chat.TypeAsync("/delete #1", "alice deleted #1 (alice: \"first draft\")");
        await chat.QuitAsync();
        var history = await _server.HistoryAsync(await _server.TokenForAsync("bob"), "general");
        Assert.True(history.Single(m => m.Seq == 1).Deleted);
        Assert.False(history.Single(m => m.Seq == bobs.Seq).Deleted);
    }

    [Fact]
    public async Task SearchFindsMessagesInEveryRoomOrOneAndShowsAResultInItsContext()
    {
        await _server.LoginAsync("alice");
        await using var bob = await _server.ConnectAsync("bob", "general");
        await bob.CreateRoomAsync("market", isPrivate: false, Cancel);
        await bob.SendMessageAsync("general", "fresh apples today", "b-1", Cancel);
        await bob.SendMessageAsync("general", "no fruit here", "b-2", Cancel);
        await bob.SendMessageAsync("market", "apples and pears", "b-3", Cancel);
        var chat = await ChatRun.StartAsync(_server);

        var everywhere = await chat.TypeAndCollectAsync("/search apples", "* /context");
        Assert.Equal("* messages matching \"apples\", newest first:", everywhere[0]);
        Assert.Matches(@"^\d\d:\d\d \[market\] #1 bob: apples and pears$", everywhere[1]);
        Assert.Matches(@"^\d\d:\d\d \[general\] #1 bob: fresh apples today$", everywhere[2]);
        Assert.Equal("* /context market#1 shows a result among the messages around it", everywhere[3]);

        var inMarket = await chat.TypeAndCollectAsync("/search apples in:market", "* /context");
        Assert.Equal(["* messages matching \"apples\" in market, newest first:", "[market] #1 bob: apples and pears"], [inMarket[0], inMarket[1][6..]]);
        Assert.Equal(3, inMarket.Count);

        var context = await chat.TypeAndCollectAsync("/context general#1", "* end of context");
        Assert.Equal("* around general#1:", context[0]);
        Assert.EndsWith("bob: fresh apples today   <==", context[1], StringComparison.Ordinal);
        Assert.EndsWith("bob: no fruit here", context[2], StringComparison.Ordinal);
        var market = await chat.TypeAndCollectAsync("/context market#1", "* end of context");
        Assert.Equal("* end of context; /join market to talk there", market[^1]);

        // More than a page: /more goes on where the first page ended.
        for (var i = 0; i < 10; i++)
        {
            await bob.SendMessageAsync("general", $"apples number {i}", $"more-{i}", Cancel);
        }

        var first = await chat.TypeAndCollectAsync("/search apples in:here", "* /context");
        Assert.Equal(10, first.Count(l => l.Contains(" [general] #", StringComparison.Ordinal)));
        Assert.EndsWith("; /more for older results", first[^1], StringComparison.Ordinal);
        var more = await chat.TypeAndCollectAsync("/more", "* /context");
        Assert.Matches(@"^\d\d:\d\d \[general\] #1 bob: fresh apples today$", Assert.Single(more, l => l.Contains(" [general] #", StringComparison.Ordinal)));
        await chat.TypeAsync("/more", "* nothing more to show");
        await chat.QuitAsync();
    }

    [Fact]
    public async Task CreateAndInviteMakeAPrivateRoomThatTheInviteeGetsAtOnce()
    {
        await _server.LoginAsync("alice");
        await using var bob = await _server.ConnectAsync("bob");
        var invited = new TaskCompletionSource<RoomInfo>(TaskCreationOptions.RunContinuationsAsynchronously);
        bob.Hub.On<RoomInfo>(nameof(IChatClient.RoomJoined), room => invited.TrySetResult(room));
        var chat = await ChatRun.StartAsync(_server);

        await chat.TypeAsync("/create secret private", "* now in secret (private); what you type goes there");
        Assert.Contains("* created private room secret: only people you /invite can join it", chat.Output.Lines);
        await chat.TypeAsync("/invite bob", line => line == "* invited bob to secret");
        var room = await invited.Task.WaitAsync(ChatTestServer.Timeout, Cancel);
        Assert.Equal("secret", room.Name);
        Assert.True(room.IsPrivate);

        await bob.SendMessageAsync("secret", "thanks for the invitation", "b-1", Cancel);
        await chat.Output.WaitForLineAsync("[secret] #1 bob: thanks for the invitation");
        await chat.TypeAsync("/invite nobody", line => line == "* There is no user named 'nobody'.");
        await chat.TypeAsync("/create secret", line => line == "* A room named 'secret' already exists.");
        await chat.TypeAsync("/create open-room", "* now in open-room; what you type goes there");
        await chat.TypeAsync("/rooms", "*   secret (private): 0 unread, owner alice");
        await chat.QuitAsync();
    }

    [Fact]
    public async Task DirectMessagesAreNamedByTheOtherPersonNeverByTheInternalRoomName()
    {
        await _server.LoginAsync("alice");
        await using var bob = await _server.ConnectAsync("bob");
        await using var carol = await _server.ConnectAsync("carol");
        var chat = await ChatRun.StartAsync(_server);

        await chat.TypeAsync("/dm bob", "* now in @bob (direct conversation with bob); what you type goes there");
        await chat.TypeAsync("hi bob", "[@bob] #1 alice: hi bob");
        var direct = await bob.OpenDirectAsync("alice", Cancel);
        await bob.SendMessageAsync(direct.Name, "hi alice", "b-1", Cancel);
        await chat.Output.WaitForLineAsync("[@bob] #2 bob: hi alice");
        await chat.TypeAsync("/rooms", "*   @bob (direct with bob): 0 unread <- current");
        await chat.TypeAsync("/who", "* in @bob: ");

        // Someone else opens one: named by them too, and its first message shows under their name.
        var fromCarol = await carol.OpenDirectAsync("alice", Cancel);
        await chat.Output.WaitForLineAsync("* carol opened a direct conversation with you; /dm carol to reply");
        await carol.SendMessageAsync(fromCarol.Name, "psst", "c-1", Cancel);
        await chat.Output.WaitForLineAsync("[@carol] #1 carol: psst");
        await chat.TypeAsync("/react @carol#1 👀", "alice reacted 👀 on #1 (carol: \"psst\")");
        await chat.TypeAsync("/join @carol", "* now in @carol (direct conversation with carol)");
        await chat.QuitAsync();

        Assert.DoesNotContain(chat.Output.Lines, line => line.Contains("@alice:", StringComparison.Ordinal) || line.Contains(":alice", StringComparison.Ordinal));

        // And a chat can start in one.
        var again = await ChatRun.StartAsync(_server, room: "@bob");
        await again.Output.WaitForLineAsync("[@bob] #2 bob: hi alice");
        await again.QuitAsync();
    }

    [Fact]
    public async Task SendToAtANameGoesToTheDirectConversationWithThatPerson()
    {
        await _server.LoginAsync("alice");
        await _server.TokenForAsync("bob"); // bob exists
        var input = new TypedInput();
        input.EndInput();
        var error = new RecordedOutput();

        var exitCode = await CliApp.RunAsync(["send", "--room", "@bob", "lunch?"], _server.Environment(input, new RecordedOutput(), error), Cancel).WaitAsync(ChatTestServer.CommandTimeout, Cancel);

        Assert.True(exitCode == 0, error.Text);
        Assert.Contains("Sent 1 message to @bob.", error.Text, StringComparison.Ordinal);
        await using var bob = await _server.ConnectAsync("bob");
        var direct = await bob.OpenDirectAsync("alice", Cancel);
        Assert.Equal("lunch?", Assert.Single(await _server.HistoryAsync(await _server.TokenForAsync("bob"), direct.Name)).Text);
    }
}
