using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ChatApp.Contracts;
using ChatApp.Server.Limits;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Data.Sqlite;

namespace ChatApp.Tests;

/// <summary>Rate limits and quotas: who is limited, what they are told, and that everyone else is not.</summary>
public sealed partial class LimitsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string NewId() => Guid.NewGuid().ToString("N");

    private static ChatServer Server(params (string Key, string Value)[] limits) =>
        new(limits.ToDictionary(l => "Limits:" + l.Key, l => l.Value));

    private static async Task<string?> CodeOfAsync(HttpResponseMessage response)
    {
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        return body.RootElement.TryGetProperty("code", out var code) ? code.GetString() : null;
    }

    [Fact]
    public async Task AUserSendingTooFastIsToldToSlowDownWithARetryHintWhileOthersSendFreely()
    {
        await using var server = Server(("MessagesBurst", "5"), ("MessagesPerMinute", "6"));
        await using var alice = await server.UserAsync("alice", "general");
        await using var bob = await server.UserAsync("bob", "general");

        for (var i = 0; i < 5; i++)
        {
            await alice.Connection.SendMessageAsync("general", $"burst {i}", NewId(), Ct);
        }

        var limited = await Assert.ThrowsAsync<HubException>(() => alice.Connection.SendMessageAsync("general", "one too many", NewId(), Ct));
        var error = ChatErrors.Parse(limited.Message);
        Assert.NotNull(error);
        Assert.Equal(ChatErrorCodes.RateLimited, error.Code);
        Assert.True(error.IsRetryable);
        Assert.InRange(error.RetryAfter!.Value, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10));
        Assert.Contains("slow down", error.Text, StringComparison.Ordinal);
        // Edits and reactions draw on the same bucket; reads and other users do not.
        await Assert.ThrowsAsync<HubException>(() => alice.Connection.ReactAsync("general", 1, "👍", Ct));
        Assert.Equal(5, (await alice.Connection.GetHistoryAsync("general", null, null, Ct)).Messages.Count);
        Assert.Equal(6, (await bob.Connection.SendMessageAsync("general", "bob is fine", NewId(), Ct)).Seq);
    }

    [Fact]
    public async Task RestAnswers429WithRetryAfterAndTheSameCode()
    {
        await using var server = Server(("MessagesBurst", "2"), ("MessagesPerMinute", "1"));
        await using var alice = await server.UserAsync("alice", "general");
        using var http = server.CreateHttpClient(alice.Token);
        var path = $"{ChatPaths.Rooms}/general/messages";
        for (var i = 0; i < 2; i++)
        {
            using var ok = await http.PostAsJsonAsync(path, new PostMessageRequest($"rest {i}", NewId()), Ct);
            Assert.Equal(HttpStatusCode.Created, ok.StatusCode);
        }

        using var limited = await http.PostAsJsonAsync(path, new PostMessageRequest("too many", NewId()), Ct);
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.True(limited.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1), $"Retry-After: {limited.Headers.RetryAfter}");
        Assert.Equal(ChatErrorCodes.RateLimited, await CodeOfAsync(limited));
        // The hub draws on the same bucket as REST.
        var hub = await Assert.ThrowsAsync<HubException>(() => alice.Connection.SendMessageAsync("general", "hub too", NewId(), Ct));
        Assert.Equal(ChatErrorCodes.RateLimited, ChatErrors.Parse(hub.Message)?.Code);
    }

    [Fact]
    public void EveryHubMethodIsPlacedInARateLimitBucketOnPurpose()
    {
        var methods = typeof(IChatHub).GetMethods().Select(m => m.Name).Order(StringComparer.Ordinal).ToList();

        Assert.Equal(methods, HubLimitFilter.Buckets.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task SendsWithExtrasTopicsArchivingAndDeletingARoomDrawOnTheMessagesBucket()
    {
        await using var server = Server(("MessagesBurst", "3"), ("MessagesPerMinute", "1"));
        await using var alice = await server.UserAsync("alice", "general");
        await alice.Connection.CreateRoomAsync("mine", false, Ct);
        for (var i = 0; i < 3; i++)
        {
            await alice.Connection.SendMessageWithAsync("general", $"with extras {i}", NewId(), new SendExtras { ReplyTo = i == 0 ? null : i }, Ct);
        }

        // Each of these was a general call before, so a user could flood sends with extras, or make every user's
        // client reload the room directory many times a second by toggling a topic.
        foreach (var call in new Func<Task>[]
        {
            () => alice.Connection.SendMessageWithAsync("general", "one too many", NewId(), new SendExtras { ReplyTo = 1 }, Ct),
            () => alice.Connection.SetRoomTopicAsync("mine", "a topic", Ct),
            () => alice.Connection.ArchiveRoomAsync("mine", true, Ct),
            () => alice.Connection.DeleteRoomAsync("mine", Ct),
        })
        {
            var limited = await Assert.ThrowsAsync<HubException>(call);
            Assert.Equal(ChatErrorCodes.RateLimited, ChatErrors.Parse(limited.Message)?.Code);
        }

        using var http = server.CreateHttpClient(alice.Token);
        using var delete = await http.DeleteAsync($"{ChatPaths.Rooms}/mine", Ct);
        Assert.Equal(HttpStatusCode.TooManyRequests, delete.StatusCode);
        Assert.Equal(3, (await alice.Connection.GetHistoryAsync("general", null, null, Ct)).Messages.Count);
        var mine = (await alice.Connection.ListRoomsAsync(Ct)).Single(r => r.Name == "mine");
        Assert.Null(mine.Topic);
        Assert.False(mine.IsArchived);
    }

    [Fact]
    public async Task UploadsAreLimitedWith429AndRetryAfterAndTheRefusedOneIsNotStored()
    {
        await using var server = Server(("MessagesBurst", "2"), ("MessagesPerMinute", "1"));
        await using var alice = await server.UserAsync("alice", "general");
        using var http = server.CreateHttpClient(alice.Token);
        var path = $"{ChatPaths.Rooms}/general/attachments?name=notes.txt";
        for (var i = 0; i < 2; i++)
        {
            using var ok = await http.PostAsync(path, new ByteArrayContent("some notes"u8.ToArray()), Ct);
            Assert.Equal(HttpStatusCode.Created, ok.StatusCode);
        }

        using var limited = await http.PostAsync(path, new ByteArrayContent("one too many"u8.ToArray()), Ct);

        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.True(limited.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1), $"Retry-After: {limited.Headers.RetryAfter}");
        Assert.Equal(ChatErrorCodes.RateLimited, await CodeOfAsync(limited));
        Assert.Equal(2, await CountAsync(server, "Attachments"));
    }

    [Fact]
    public async Task GuessingRefreshTokensIsLimitedPerAddress()
    {
        await using var server = Server(("CallsBurst", "3"), ("CallsPerMinute", "1"));
        var answers = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++)
        {
            using var guess = await server.PostJsonAsync(ChatPaths.Refresh, new RefreshRequest(NewId()));
            answers.Add(guess.StatusCode);
        }

        Assert.Equal([.. Enumerable.Repeat(HttpStatusCode.Unauthorized, 3), HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], answers);
    }

    [Fact]
    public async Task AnUploadAboveTheServersDefaultBodyCapIsAcceptedUpToMaxBytesAndNotAByteMore()
    {
        // Kestrel refuses bodies over 30,000,000 bytes unless told otherwise; Attachments:MaxBytes may be up to 64 MiB.
        const int max = 30_000_100;
        await using var server = new ChatServer(new Dictionary<string, string> { ["Attachments:MaxBytes"] = $"{max}" }, kestrel: true);
        await using var alice = await server.UserAsync("alice", "general");
        using var http = server.CreateHttpClient(alice.Token);
        var path = $"{ChatPaths.Rooms}/general/attachments?name=big.txt";
        var text = new byte[max + 1];
        text.AsSpan().Fill((byte)'a');

        using var fits = await http.PostAsync(path, new ByteArrayContent(text, 0, max), Ct);
        Assert.Equal(HttpStatusCode.Created, fits.StatusCode);
        Assert.Equal(max, (await fits.Content.ReadFromJsonAsync<AttachmentInfo>(Ct))!.Length);

        // A declared length over the limit is refused before the body is read: the client waits for "100 Continue",
        // which never comes, and sends nothing.
        using var tooLong = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(text) };
        tooLong.Headers.ExpectContinue = true;
        using var declared = await http.SendAsync(tooLong, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, declared.StatusCode);
        // Without a declared length (chunked), reading stops at the limit, with the same reason.
        using var chunked = new StreamContent(new MemoryStream(text));
        chunked.Headers.ContentLength = null;
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = chunked };
        request.Headers.TransferEncodingChunked = true;
        using var streamed = await http.SendAsync(request, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, streamed.StatusCode);
        Assert.Contains("at most", await streamed.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Equal(1, await CountAsync(server, "Attachments"));
    }

    [Fact]
    public async Task ARestRequestBodyOverAMebibyteIsRefusedWith413AndNothingIsStored()
    {
        // Kestrel would read up to 30,000,000 bytes of any body; Limits:MaxRequestBodyBytes caps them at 1 MiB, and
        // only the upload endpoint raises its own cap to Attachments:MaxBytes (the test above).
        await using var server = new ChatServer(kestrel: true);
        using var http = server.CreateHttpClient();
        var huge = new string('a', 2 * 1024 * 1024);
        using var response = await http.PostAsJsonAsync(ChatPaths.Register, new RegisterRequest("bigbody", huge), Ct);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal(0, await CountAsync(server, "Users"));
    }

    private static async Task<long> CountAsync(ChatServer server, string table)
    {
        await using var db = new SqliteConnection($"Data Source={server.DatabasePath};Mode=ReadOnly;Pooling=False");
        await db.OpenAsync(Ct);
        await using var command = db.CreateCommand();
        command.CommandText = $"SELECT COUNT(*) FROM {table}";
        return (long)(await command.ExecuteScalarAsync(Ct))!;
    }

    [Fact]
    public async Task RegistrationsAndLoginsFromOneAddressAreLimitedAcrossNames()
    {
        await using var server = Server(("RegistrationsBurst", "3"), ("LoginsBurst", "4"), ("LoginsPerMinute", "1"));
        for (var i = 0; i < 3; i++)
        {
            using var ok = await server.PostJsonAsync(ChatPaths.Register, new RegisterRequest($"user{i}", ChatServer.Password));
            Assert.Equal(HttpStatusCode.Created, ok.StatusCode);
        }

        using var fourth = await server.PostJsonAsync(ChatPaths.Register, new RegisterRequest("user3", ChatServer.Password));
        Assert.Equal(HttpStatusCode.TooManyRequests, fourth.StatusCode);
        Assert.NotNull(fourth.Headers.RetryAfter);

        // A password spray: one guess for each of many names, each below the per-name lock.
        var answers = new List<HttpStatusCode>();
        for (var i = 0; i < 6; i++)
        {
            using var guess = await server.PostJsonAsync(ChatPaths.Login, new LoginRequest($"user{i % 3}", "Password123"));
            answers.Add(guess.StatusCode);
        }

        Assert.Equal([.. Enumerable.Repeat(HttpStatusCode.Unauthorized, 4), HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], answers);
    }

    [Fact]
    public async Task RoomCreationIsLimitedPerUser()
    {
        await using var server = Server(("RoomsBurst", "2"));
        await using var alice = await server.UserAsync("alice");
        await using var bob = await server.UserAsync("bob");
        await alice.Connection.CreateRoomAsync("one", false, Ct);
        await alice.Connection.CreateRoomAsync("two", false, Ct);

        var limited = await Assert.ThrowsAsync<HubException>(() => alice.Connection.CreateRoomAsync("three", false, Ct));

        Assert.Equal(ChatErrorCodes.RateLimited, ChatErrors.Parse(limited.Message)?.Code);
        Assert.DoesNotContain(await alice.Connection.ListRoomsAsync(Ct), r => r.Name == "three");
        await bob.Connection.CreateRoomAsync("bobs", false, Ct);
    }

    [Fact]
    public async Task AUserCannotOpenMoreConnectionsThanTheLimitButCanAfterClosingOne()
    {
        await using var server = Server(("ConnectionsPerUser", "2"));
        var token = await server.TokenForAsync("alice");
        await using var first = await server.ConnectAsync(token);
        await using var second = await server.ConnectAsync(token);

        await using var third = server.CreateConnection(token);
        await Assert.ThrowsAnyAsync<Exception>(() => third.StartAsync(Ct).WaitAsync(ChatServer.Timeout, Ct));
        await using var bob = await server.ConnectAsync(await server.TokenForAsync("bob")); // others are not affected

        await first.StopAsync(Ct);
        await using var again = await WaitForConnectionAsync(server, token);
        Assert.NotEmpty(await again.ListRoomsAsync(Ct));
    }

    /// <summary>The server releases a closed connection's slot when its request ends, a moment after the client's close.</summary>
    private static async Task<ChatApp.Client.ChatConnection> WaitForConnectionAsync(ChatServer server, string token)
    {
        var deadline = DateTime.UtcNow + ChatServer.Timeout;
        while (true)
        {
            var connection = server.CreateConnection(token);
            try
            {
                await connection.StartAsync(Ct).WaitAsync(ChatServer.Timeout, Ct);
                return connection;
            }
            catch (Exception) when (DateTime.UtcNow < deadline)
            {
                await connection.DisposeAsync();
                await Task.Delay(100, Ct);
            }
        }
    }

    private sealed class ManualClock : TimeProvider
    {
        private long _ticks;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => _ticks;

        public void Advance(TimeSpan by) => _ticks += by.Ticks;
    }
}
