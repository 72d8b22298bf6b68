using System.Text;
using System.Text.RegularExpressions;
using ChatApp.Contracts;

namespace ChatApp.Cli.Tests;

/// <summary>/reply, /topic, /archive, /unarchive, /deleteroom and /upload typed into <c>chatapp chat</c>, checked on screen and by another user over the server.</summary>
public sealed partial class ChatComposeTests : IAsyncLifetime
{
    private readonly ChatTestServer _server = new();

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    [Fact]
    public async Task AReplyIsStoredWithItsOriginalAndShowsAQuoteOfItLiveInHistoryAndOnceTheOriginalIsDeleted()
    {
        await _server.LoginAsync("alice");
        await using var bob = await _server.ConnectAsync("bob", "general");
        await bob.SendMessageAsync("general", "first words of a message that goes on for quite a while", "b-1", Cancel);
        var chat = await ChatRun.StartAsync(_server);
        await chat.Output.WaitForLineAsync("#1 bob: first words");

        var reply = await chat.TypeAsync("/reply #1 agreed", "#2 alice: agreed");
        Assert.EndsWith("#2 alice: agreed  ↪ re #1 bob: \"first words of a message that goes on f…\"", reply, StringComparison.Ordinal);
        var stored = (await _server.HistoryAsync(await _server.TokenForAsync("bob"), "general")).Single(m => m.Seq == 2);
        Assert.Equal(1, stored.ReplyTo);

        await chat.TypeAsync("/reply last me too", "#3 alice: me too  ↪ re #2 alice: \"agreed\"");
        await chat.TypeAsync("/reply #99 nothing", line => line.StartsWith("* ", StringComparison.Ordinal) && line.Contains("#99", StringComparison.Ordinal));
        await chat.TypeAsync("/reply #1", "/reply needs the message and your answer");

        // History reads the original as it is now: deleted.
        await bob.DeleteMessageAsync("general", 1, Cancel);
        await chat.Output.WaitForLineAsync("bob deleted #1");
        var history = await chat.TypeAndCollectAsync("/history", "#3 alice: me too");
        Assert.Contains(history, line => line.EndsWith("#2 alice: agreed  ↪ re #1 (deleted)", StringComparison.Ordinal));
        await chat.QuitAsync();

        // Catch-up after a restart of the chat: a reply bob sent meanwhile comes with its quote.
        await bob.SendMessageWithAsync("general", "late answer", "b-2", new SendExtras { ReplyTo = 3 }, Cancel);
        var again = await ChatRun.StartAsync(_server);
        await again.Output.WaitForLineAsync(line => line.EndsWith("#5 bob: late answer  ↪ re #3 alice: \"me too\"", StringComparison.Ordinal));
        await again.QuitAsync();
    }

    [Fact]
    public async Task TheOwnerSetsARoomsTopicWhichShowsInRoomsAndAnyoneElseIsRefusedInOneLine()
    {
        await _server.LoginAsync("alice");
        await using var bob = await _server.ConnectAsync("bob");
        await bob.CreateRoomAsync("bobs", isPrivate: false, Cancel);
        var chat = await ChatRun.StartAsync(_server);

        await chat.TypeAsync("/create den", "* now in den");
        await chat.TypeAsync("/topic", line => line == "* den has no topic; its owner can set one: /topic TEXT");
        await chat.TypeAsync("/topic all about dens", line => line == "* topic of den set: all about dens");
        await chat.TypeAsync("/topic", line => line == "* topic of den: all about dens");
        await chat.TypeAsync("/rooms", line => line.StartsWith("*   den: 0 unread, owner alice", StringComparison.Ordinal) && line.EndsWith(" - all about dens", StringComparison.Ordinal));
        var seen = await bob.ListRoomsAsync(Cancel);
        Assert.Equal("all about dens", seen.Single(r => r.Name == "den").Topic);

        await chat.TypeAsync("/join bobs", "* now in bobs");
        await chat.TypeAsync("/topic mine now", line => line == "* Only the owner of 'bobs' can set its topic.");
        Assert.Null((await bob.ListRoomsAsync(Cancel)).Single(r => r.Name == "bobs").Topic);
        await chat.QuitAsync();
    }

    [Fact]
    public async Task TheOwnerArchivesUnarchivesAndDeletesTheirRoomAndAnyoneElseIsRefusedInOneLine()
    {
        await _server.LoginAsync("alice");
        await using var bob = await _server.ConnectAsync("bob");
        await bob.CreateRoomAsync("bobs", isPrivate: false, Cancel);
        var chat = await ChatRun.StartAsync(_server);
        await chat.TypeAsync("/create den", "* now in den");
        await bob.JoinRoomAsync("den", Cancel);

        await chat.TypeAsync("/archive", line => line == "* archived den: it can be read, but takes no new messages");
        Assert.True((await bob.ListRoomsAsync(Cancel)).Single(r => r.Name == "den").IsArchived);
        await chat.TypeAsync("/unarchive den", line => line == "* unarchived den: it takes messages again");
        Assert.False((await bob.ListRoomsAsync(Cancel)).Single(r => r.Name == "den").IsArchived);

        await chat.TypeAsync("/archive bobs", line => line == "* Only the owner of 'bobs' can archive it.");
        Assert.False((await bob.ListRoomsAsync(Cancel)).Single(r => r.Name == "bobs").IsArchived);
        await chat.TypeAsync("/deleteroom", line => line.StartsWith("* usage: /deleteroom ROOM", StringComparison.Ordinal));

        await chat.TypeAsync("/deleteroom den", line => line == "* deleted room den for everyone");
        Assert.DoesNotContain(await bob.ListRoomsAsync(Cancel), r => r.Name == "den");
        await chat.QuitAsync();
    }

    [Fact]
    public async Task AnUploadReachesTheOtherUserAsAnAttachmentLineWhoseUrlDownloadsTheSameBytes()
    {
        await _server.LoginAsync("alice");
        await _server.LoginAsync("bob", "bob.json");
        var bytes = Encoding.UTF8.GetBytes("shopping list:\napples\npears\n");
        var path = Path.Combine(_server.Directory, "list for bob.txt");
        await File.WriteAllBytesAsync(path, bytes, Cancel);
        var alice = await ChatRun.StartAsync(_server);
        var bob = await ChatRun.StartAsync(_server, sessionName: "bob.json");

        await alice.TypeAsync($"/upload \"{path}\" the list", "#1 alice: the list");
        await alice.Output.WaitForLineAsync("    [file list for bob.txt");
        await bob.Output.WaitForLineAsync("#1 alice: the list");
        var attachment = await bob.Output.WaitForLineAsync("    [file list for bob.txt");
        var match = AttachmentLine().Match(attachment);
        Assert.True(match.Success, attachment);
        Assert.Equal($"{bytes.Length} B", match.Groups["size"].Value);

        // The URL, fetched with bob's token as any HTTP client would, gives back alice's bytes.
        using var http = _server.CreateHttpClient(await _server.TokenForAsync("bob"));
        var downloaded = await http.GetByteArrayAsync(new Uri(match.Groups["url"].Value).PathAndQuery, Cancel);
        Assert.Equal(bytes, downloaded);
        var stored = Assert.Single(Assert.Single(await _server.HistoryAsync(await _server.TokenForAsync("bob"), "general")).Attachments);
        Assert.Equal("list for bob.txt", stored.FileName);

        await alice.TypeAsync("/upload /no/such/file.txt", line => line == "* There is no file '/no/such/file.txt'.");
        await alice.QuitAsync();
        await bob.QuitAsync();
    }

    [GeneratedRegex(@"^    \[file list for bob\.txt, (?<size>[^,]+), text/plain[^\]]*\] (?<url>http://\S+/api/attachments/\S+)$")]
    private static partial Regex AttachmentLine();
}
