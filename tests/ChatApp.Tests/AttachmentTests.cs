using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using ChatApp.Contracts;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace ChatApp.Tests;

/// <summary>Uploads and downloads: the type from the bytes, the size cap, members only, the safe download headers, and messages that carry files.</summary>
public class AttachmentTests : IAsyncLifetime
{
    /// <summary>A real 40×30 PNG (red), small enough to inline.</summary>
    public static readonly byte[] Png = Convert.FromBase64String(
        "iVBORw0KGgoAAAANSUhEUgAAACgAAAAeCAIAAADRv8uKAAAAK0lEQVR4nO3NMQ0AAAgDsEmafxVIQgYcTfo3056IWCwWi8VisVgsFov/xgtTcpFM0LAPSQAAAABJRU5ErkJggg==");

    private ChatServer _server = null!; // set by InitializeAsync, which xunit runs before each test

    /// <summary>Storage settings for the server: none is SQLite in a temp folder; PostgresAttachmentTests runs these tests on PostgreSQL.</summary>
    protected virtual Task<Dictionary<string, string>> StorageAsync() => Task.FromResult(new Dictionary<string, string>());

    public async ValueTask InitializeAsync() =>
        _server = new(new Dictionary<string, string>(await StorageAsync()) { ["Attachments:MaxBytes"] = "4096", ["Attachments:MaxPerMessage"] = "2" });

    public ValueTask DisposeAsync() => _server?.DisposeAsync() ?? ValueTask.CompletedTask;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string NewId() => Guid.NewGuid().ToString("N");

    private static async Task<HttpResponseMessage> UploadAsync(HttpClient http, string room, byte[] data, string name, string claimedType = "application/octet-stream")
    {
        using var body = new ByteArrayContent(data);
        body.Headers.ContentType = new MediaTypeHeaderValue(claimedType);
        return await http.PostAsync($"/api/rooms/{room}/attachments?name={Uri.EscapeDataString(name)}", body, Ct);
    }

    [Fact]
    public async Task AnUploadedImageIsSentWithAMessageAndDownloadedByMembersWithSafeHeaders()
    {
        await using var alice = await _server.UserAsync("alice", "general");
        await using var bob = await _server.UserAsync("bob", "general");
        using var aliceHttp = _server.CreateHttpClient(alice.Token);

        var uploaded = await UploadAsync(aliceHttp, "general", Png, "../../etc/red dot.png", claimedType: "text/html");
        Assert.Equal(HttpStatusCode.Created, uploaded.StatusCode);
        var info = (await uploaded.Content.ReadFromJsonAsync<AttachmentInfo>(Ct))!;
        Assert.Equal(new AttachmentInfo(info.Id, "red dot.png", "image/png", Png.Length, 40, 30), info);

        var text = await UploadAsync(aliceHttp, "general", Encoding.UTF8.GetBytes("notes\nline two"), "notes.txt");
        var textInfo = (await text.Content.ReadFromJsonAsync<AttachmentInfo>(Ct))!;
        var sent = await alice.Connection.SendMessageWithAsync("general", "", NewId(), new SendExtras { AttachmentIds = [info.Id, textInfo.Id] }, Ct);
        Assert.Equal([info, textInfo], sent.Attachments);
        Assert.Equal([info, textInfo], (await bob.Events.WaitForMessagesAsync(1, "general"))[0].Attachments);
        Assert.Equal([info, textInfo], (await bob.Connection.GetHistoryAsync("general", null, null, Ct)).Messages[^1].Attachments);

        using var bobHttp = _server.CreateHttpClient(bob.Token);
        using var download = await bobHttp.GetAsync($"/api/attachments/{info.Id}", Ct);
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal(Png, await download.Content.ReadAsByteArrayAsync(Ct));
        Assert.Equal("image/png", download.Content.Headers.ContentType!.MediaType);
        Assert.Equal("attachment", download.Content.Headers.ContentDisposition!.DispositionType);
        Assert.Equal("nosniff", download.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Contains("default-src 'self'", download.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);

        // Claimed once: a second message cannot carry the same upload.
        var again = await Assert.ThrowsAsync<HubException>(() =>
            alice.Connection.SendMessageWithAsync("general", "again", NewId(), new SendExtras { AttachmentIds = [info.Id] }, Ct));
        Assert.Equal(ChatErrorCodes.Invalid, ChatErrors.Parse(again.Message)!.Code);
    }

    [Fact]
    public async Task NonMembersOutsidersAndAnonymousCallersCannotUploadOrDownload()
    {
        await using var alice = await _server.UserAsync("alice");
        await using var eve = await _server.UserAsync("eve", "general");
        await alice.Connection.CreateRoomAsync("inner", true, Ct);
        using var aliceHttp = _server.CreateHttpClient(alice.Token);
        var info = (await (await UploadAsync(aliceHttp, "inner", Png, "plan.png")).Content.ReadFromJsonAsync<AttachmentInfo>(Ct))!;
        await alice.Connection.SendMessageWithAsync("inner", "the plan", NewId(), new SendExtras { AttachmentIds = [info.Id] }, Ct);

        using var eveHttp = _server.CreateHttpClient(eve.Token);
        Assert.Equal(HttpStatusCode.NotFound, (await eveHttp.GetAsync($"/api/attachments/{info.Id}", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await eveHttp.GetAsync($"/api/attachments/{NewId()}", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await UploadAsync(eveHttp, "inner", Png, "x.png")).StatusCode);
        using var anonymous = _server.CreateHttpClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync($"/api/attachments/{info.Id}", Ct)).StatusCode);

        // A public room's file is for its members too, and someone else's upload cannot be sent by eve.
        var upload = await UploadAsync(eveHttp, "general", Png, "mine.png");
        var eveInfo = (await upload.Content.ReadFromJsonAsync<AttachmentInfo>(Ct))!;
        Assert.Equal(HttpStatusCode.Forbidden, (await UploadAsync(aliceHttp, "general", Png, "x.png")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await aliceHttp.GetAsync($"/api/attachments/{eveInfo.Id}", Ct)).StatusCode);
        await alice.Connection.JoinRoomAsync("general", Ct);
        await Assert.ThrowsAsync<HubException>(() =>
            alice.Connection.SendMessageWithAsync("general", "stolen", NewId(), new SendExtras { AttachmentIds = [eveInfo.Id] }, Ct));
    }

    [Fact]
    public async Task ADownloadByAnIdNoUploadCouldHaveIsNotFoundWhateverItHolds()
    {
        await using var alice = await _server.UserAsync("alice", "general");
        using var http = _server.CreateHttpClient(alice.Token);
        using var upload = await UploadAsync(http, "general", Png, "red.png");
        var info = (await upload.Content.ReadFromJsonAsync<AttachmentInfo>(Ct))!;

        // Ids of the wrong shape, one of them the real id in capitals: each gets the answer of an unknown id, before any lookup.
        string[] malformed = [info.Id.ToUpperInvariant(), info.Id[..31], info.Id + "0", info.Id[..31] + "g", new string('a', 2_000), "..%2F..%2Fetc", "%E2%80%AE" + info.Id[1..]];
        foreach (var id in malformed)
        {
            using var response = await http.GetAsync($"/api/attachments/{id}", Ct);
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{id}: {(int)response.StatusCode}");
        }

        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync($"/api/attachments/{info.Id}", Ct)).StatusCode);
    }

    [Fact]
    public async Task FilesOverTheSizeCapOfAnUnknownTypeOrTooManyForOneMessageAreRefused()
    {
        await using var alice = await _server.UserAsync("alice", "general");
        using var http = _server.CreateHttpClient(alice.Token);

        Assert.Equal(HttpStatusCode.BadRequest, (await UploadAsync(http, "general", new byte[4097], "big.bin")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await UploadAsync(http, "general", "<html><script>alert(1)</script>"u8.ToArray().Concat(new byte[] { 0 }).ToArray(), "x.html", "text/html")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await UploadAsync(http, "general", "<svg xmlns='http://www.w3.org/2000/svg'/>\0"u8.ToArray(), "x.svg", "image/svg+xml")).StatusCode);
        // The PNG signature with a broken header is not an image this server can size.
        Assert.Equal(HttpStatusCode.BadRequest, (await UploadAsync(http, "general", Png[..12], "cut.png")).StatusCode);

        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add((await (await UploadAsync(http, "general", Png, $"{i}.png")).Content.ReadFromJsonAsync<AttachmentInfo>(Ct))!.Id);
        }

        var tooMany = await Assert.ThrowsAsync<HubException>(() =>
            alice.Connection.SendMessageWithAsync("general", "three", NewId(), new SendExtras { AttachmentIds = ids }, Ct));
        Assert.Equal(ChatErrorCodes.Invalid, ChatErrors.Parse(tooMany.Message)!.Code);
    }

    [Fact]
    public async Task DeletingAMessageDeletesItsAttachments()
    {
        await using var alice = await _server.UserAsync("alice", "general");
        using var http = _server.CreateHttpClient(alice.Token);
        var info = (await (await UploadAsync(http, "general", Png, "gone.png")).Content.ReadFromJsonAsync<AttachmentInfo>(Ct))!;
        var sent = await alice.Connection.SendMessageWithAsync("general", "soon gone", NewId(), new SendExtras { AttachmentIds = [info.Id] }, Ct);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync($"/api/attachments/{info.Id}", Ct)).StatusCode);

        await alice.Connection.DeleteMessageAsync("general", sent.Seq, Ct);

        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync($"/api/attachments/{info.Id}", Ct)).StatusCode);
        Assert.Empty((await alice.Connection.GetHistoryAsync("general", null, null, Ct)).Messages[^1].Attachments);
    }

    [Fact]
    public void AStartUpWithAnAllowedTypeTheServerCannotRecogniseFails()
    {
        var refused = Assert.Throws<OptionsValidationException>(() => new ChatServer(new Dictionary<string, string> { ["Attachments:AllowedTypes:0"] = "text/html" }));
        Assert.Contains("AllowedTypes", refused.Message, StringComparison.Ordinal);
    }
}
