using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ChatApp.Contracts;
using ChatApp.Server.Auth;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace ChatApp.Tests;

/// <summary>Every input rule matches the whole value, lengths come first, and no input gives a 500 or stores anything.</summary>
public sealed class InputRulesTests : IAsyncLifetime
{
    private readonly ChatServer _server = new();

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string NewId() => Guid.NewGuid().ToString("N");

    private async Task<long> CountAsync(string table)
    {
        await using var db = new SqliteConnection($"Data Source={_server.DatabasePath};Mode=ReadOnly;Pooling=False");
        await db.OpenAsync(Ct);
        await using var command = db.CreateCommand();
        command.CommandText = $"SELECT COUNT(*) FROM {table}";
        return (long)(await command.ExecuteScalarAsync(Ct))!;
    }

    private static async Task<string?> CodeOfAsync(HttpResponseMessage response)
    {
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        return body.RootElement.TryGetProperty("code", out var code) ? code.GetString() : null;
    }

    [Theory]
    [InlineData("carol\n")]
    [InlineData("carol\r\n")]
    [InlineData("\ncarol")]
    [InlineData("car\0ol")]
    [InlineData("ｃａｒｏｌ")]
    [InlineData("carol ")]
    public async Task ANameThatOnlyLooksRightIsRefusedWith400AndNothingIsStored(string name)
    {
        var users = await CountAsync("Users");
        using var response = await _server.PostJsonAsync(ChatPaths.Register, new RegisterRequest(name, ChatServer.Password));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(ChatErrorCodes.Invalid, await CodeOfAsync(response));
        Assert.Equal(users, await CountAsync("Users"));
        using var carol = await _server.PostJsonAsync(ChatPaths.Register, new RegisterRequest("carol", ChatServer.Password));
        Assert.Equal(HttpStatusCode.Created, carol.StatusCode);
    }

    [Fact]
    public async Task HugeNamesAndPasswordsAreRefusedBeforeHashingOrThrottling()
    {
        var huge = new string('a', 2_000_000);
        using (var register = await _server.PostJsonAsync(ChatPaths.Register, new RegisterRequest(huge, ChatServer.Password)))
        {
            Assert.Equal(HttpStatusCode.BadRequest, register.StatusCode);
        }

        var throttle = _server.Services.GetRequiredService<LoginThrottle>();
        for (var i = 0; i < 5; i++)
        {
            using var login = await _server.PostJsonAsync(ChatPaths.Login, new LoginRequest(huge + i, ChatServer.Password));
            Assert.Equal(HttpStatusCode.Unauthorized, login.StatusCode);
            using var longPassword = await _server.PostJsonAsync(ChatPaths.Login, new LoginRequest("alice", huge));
            Assert.Equal(HttpStatusCode.Unauthorized, longPassword.StatusCode);
        }

        Assert.Equal(0, throttle.Count); // nothing remembered for names no account can have, or passwords none can
        Assert.Equal(0, await CountAsync("Users"));
    }

    [Theory]
    [InlineData("dev\n")]
    [InlineData("\u212Aitchen")] // the Kelvin sign, which lower-cases to an ASCII 'k'
    [InlineData("dev\0")]
    [InlineData("dev room")]
    [InlineData("@alice:bob")]
    public async Task ARoomNameThatOnlyLooksRightIsRefusedAndNothingIsStored(string name)
    {
        await using var alice = await _server.UserAsync("alice");
        var rooms = await CountAsync("Rooms");

        var refused = await Assert.ThrowsAsync<HubException>(() => alice.Connection.CreateRoomAsync(name, false, Ct));

        Assert.Equal(ChatErrorCodes.Invalid, ChatErrors.Parse(refused.Message)?.Code);
        Assert.Equal(rooms, await CountAsync("Rooms"));
    }

    [Fact]
    public async Task MessagesAndIdsWithControlCharactersOrBrokenUnicodeAreRefused()
    {
        await using var alice = await _server.UserAsync("alice", "general");
        string[] texts = ["bell\u0007", "nul\0", "esc \u001b[31m", "del \u007f"]; // broken Unicode cannot leave this client: its JSON writer repairs it
        foreach (var text in texts)
        {
            var refused = await Assert.ThrowsAsync<HubException>(() => alice.Connection.SendMessageAsync("general", text, NewId(), Ct));
            Assert.Equal(ChatErrorCodes.Invalid, ChatErrors.Parse(refused.Message)?.Code);
        }

        foreach (var id in new[] { "id\n", "id with spaces", new string('x', 65), "\u00e9t\u00e9" })
        {
            var refused = await Assert.ThrowsAsync<HubException>(() => alice.Connection.SendMessageAsync("general", "hello", id, Ct));
            Assert.Equal(ChatErrorCodes.Invalid, ChatErrors.Parse(refused.Message)?.Code);
        }

        var sent = await alice.Connection.SendMessageAsync("general", "two\nlines\tand a tab 👍", NewId(), Ct);
        Assert.Equal(1, sent.Seq);
        Assert.Equal(1, await CountAsync("LogEntries"));
    }

    [Fact]
    public async Task OneEmojiSpelledTwoWaysIsOneReaction()
    {
        await using var alice = await _server.UserAsync("alice", "general");
        var message = await alice.Connection.SendMessageAsync("general", "hi", NewId(), Ct);

        var composed = await alice.Connection.ReactAsync("general", message.Seq, "\u00e9", Ct); // é
        Assert.Equal(new ReactionCount("\u00e9", 1, Mine: true), composed.Reactions.Single());
        var decomposed = await alice.Connection.ReactAsync("general", message.Seq, "e\u0301", Ct); // e + combining acute: the same, so it toggles off
        Assert.Empty(decomposed.Reactions);

        foreach (var bad in new[] { "👍\n", "a b", "\0", new string('x', 33) })
        {
            var refused = await Assert.ThrowsAsync<HubException>(() => alice.Connection.ReactAsync("general", message.Seq, bad, Ct));
            Assert.Equal(ChatErrorCodes.Invalid, ChatErrors.Parse(refused.Message)?.Code);
        }
    }

    [Fact]
    public async Task ControlCharactersInASearchAreRefusedOnTheHubAndWith400OnRest()
    {
        await using var alice = await _server.UserAsync("alice", "general");
        await alice.Connection.SendMessageAsync("general", "findable words", NewId(), Ct);

        var refused = await Assert.ThrowsAsync<HubException>(() => alice.Connection.SearchMessagesAsync("find\0able", null, null, null, Ct));
        Assert.Equal(ChatErrorCodes.Invalid, ChatErrors.Parse(refused.Message)?.Code);

        using var http = _server.CreateHttpClient(alice.Token);
        foreach (var query in new[] { "find%00able", "find%0Aable", "%22%00", new string('x', 1_000) })
        {
            using var response = await http.GetAsync($"{ChatPaths.Search}?q={query}", Ct);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal(ChatErrorCodes.Invalid, await CodeOfAsync(response));
        }

        Assert.Single((await alice.Connection.SearchMessagesAsync("findable", null, null, null, Ct)).Results);
    }

    [Fact]
    public async Task AStreamFailsWithTheSameCodedReasonAsGetHistory()
    {
        await using var alice = await _server.UserAsync("alice", "general");

        foreach (var (room, after) in new[] { ("nowhere", 0L), ("bad\nname", 0L), ("general", -1L) })
        {
            var streamed = await Assert.ThrowsAsync<HubException>(async () =>
                await alice.Connection.StreamMessagesSinceAsync(room, after, Ct).ToListAsync(Ct));
            var streamError = ChatErrors.Parse(streamed.Message);
            Assert.NotNull(streamError);
            if (after >= 0)
            {
                var history = await Assert.ThrowsAsync<HubException>(() => alice.Connection.GetHistoryAsync(room, null, null, Ct));
                Assert.Equal(ChatErrors.Parse(history.Message), streamError);
            }
            else
            {
                Assert.Equal(ChatErrorCodes.Invalid, streamError.Code);
            }
        }
    }

    [Theory]
    [InlineData("/api/auth/register", "null")]
    [InlineData("/api/auth/register", "{\"userName\":5,\"password\":[]}")]
    [InlineData("/api/auth/register", "{\"userName\":\"dave\"}")]
    [InlineData("/api/auth/login", "{\"userName\":\"dave\",\"password\":null}")]
    [InlineData("/api/auth/login", "{ not json")]
    [InlineData("/api/auth/login", "{\"userName\":\"\\ud800\",\"password\":\"\\u0000\"}")]
    [InlineData("/api/rooms/general/messages", "{\"text\":\"\\ud800\",\"clientMessageId\":\"x\"}")]
    [InlineData("/api/rooms/general/messages", "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]")]
    [InlineData("/api/rooms/dev%0A/messages", "{\"text\":\"hi\",\"clientMessageId\":\"x\"}")]
    public async Task NoMalformedRestBodyGetsA500OrStoresAnything(string path, string body)
    {
        await using var alice = await _server.UserAsync("alice", "general");
        using var http = _server.CreateHttpClient(alice.Token);
        var (users, entries) = (await CountAsync("Users"), await CountAsync("LogEntries"));

        using var response = await http.PostAsync(path, new StringContent(body, System.Text.Encoding.UTF8, "application/json"), Ct);

        Assert.InRange((int)response.StatusCode, 400, 499);
        Assert.Equal((users, entries), (await CountAsync("Users"), await CountAsync("LogEntries")));
    }

    [Fact]
    public async Task MalformedReplyTargetsAndAttachmentIdsAreRefusedBeforeAnyLookup()
    {
        await using var alice = await _server.UserAsync("alice", "general");
        var original = await alice.Connection.SendMessageAsync("general", "first", NewId(), Ct);

        // "nowhere" does not exist: a refusal that says not_found would mean the ids were looked up before being checked.
        string[][] badIds = [["id\n"], [new string('a', 33)], [""], ["\u00e9" + new string('a', 31)], [NewId().ToUpperInvariant()], [null!]];
        foreach (var ids in badIds)
        {
            var refused = await Assert.ThrowsAsync<HubException>(() =>
                alice.Connection.SendMessageWithAsync("nowhere", "", NewId(), new SendExtras { AttachmentIds = ids }, Ct));
            Assert.Equal(ChatErrorCodes.Invalid, ChatErrors.Parse(refused.Message)?.Code);
        }

        foreach (var replyTo in new long[] { 0, -1, long.MinValue })
        {
            var refused = await Assert.ThrowsAsync<HubException>(() =>
                alice.Connection.SendMessageWithAsync("nowhere", "re", NewId(), new SendExtras { ReplyTo = replyTo }, Ct));
            Assert.Equal(ChatErrorCodes.Invalid, ChatErrors.Parse(refused.Message)?.Code);
        }

        using var http = _server.CreateHttpClient(alice.Token);
        using var rest = await http.PostAsJsonAsync($"{ChatPaths.Rooms}/general/messages", new PostMessageRequest("", NewId()) { AttachmentIds = ["../x\n"] }, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, rest.StatusCode);
        Assert.Equal(ChatErrorCodes.Invalid, await CodeOfAsync(rest));
        Assert.Equal(1, await CountAsync("LogEntries"));
        Assert.Equal(original.Seq, (await alice.Connection.ListRoomsAsync(Ct)).Single(r => r.Name == "general").LastSeq);
    }

    [Theory]
    [InlineData("invoice\u202Egpj.exe", "invoicegpj.exe")] // a right-to-left override would show it as "invoiceexe.jpg"
    [InlineData("zero\u200Bwidth\u2060.txt", "zerowidth.txt")]
    [InlineData("bell\u0007\u0000.txt", "bell.txt")]
    [InlineData("e\u0301t\u00e9.txt", "\u00e9t\u00e9.txt")] // NFC
    [InlineData("C:\\temp\\..\\notes.txt", "notes.txt")]
    [InlineData("\u202E\u200B", "file.txt")]
    public async Task AnUploadedFileNameKeepsNoInvisibleOrControlCharacters(string name, string stored)
    {
        await using var alice = await _server.UserAsync("alice", "general");
        using var http = _server.CreateHttpClient(alice.Token);

        using var uploaded = await http.PostAsync(
            $"{ChatPaths.Rooms}/general/attachments?name={Uri.EscapeDataString(name)}", new ByteArrayContent("plain notes"u8.ToArray()), Ct);

        Assert.Equal(HttpStatusCode.Created, uploaded.StatusCode);
        Assert.Equal(stored, (await uploaded.Content.ReadFromJsonAsync<AttachmentInfo>(Ct))!.FileName);
    }

    [Fact]
    public async Task ARefusedRestCallCarriesTheSameCodeAsTheHub()
    {
        await using var alice = await _server.UserAsync("alice");
        using var http = _server.CreateHttpClient(alice.Token);

        using var notFound = await http.GetAsync($"{ChatPaths.Rooms}/nowhere/messages", Ct);
        Assert.Equal(HttpStatusCode.NotFound, notFound.StatusCode);
        Assert.Equal(ChatErrorCodes.NotFound, await CodeOfAsync(notFound));

        using var notMember = await http.PostAsJsonAsync($"{ChatPaths.Rooms}/general/messages", new PostMessageRequest("hi", NewId()), Ct);
        Assert.Equal(HttpStatusCode.Forbidden, notMember.StatusCode);
        Assert.Equal(ChatErrorCodes.Forbidden, await CodeOfAsync(notMember));
    }
}
