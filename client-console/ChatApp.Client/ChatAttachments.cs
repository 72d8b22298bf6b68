using System.Net.Http.Headers;
using System.Net.Http.Json;
using ChatApp.Contracts;

namespace ChatApp.Client;

/// <summary>
/// Uploads and downloads of attachments over REST (files do not go through the hub: a frame is at most 64 KiB).
/// An upload is not yet a message: send one with its id in <see cref="SendExtras.AttachmentIds"/>. Refusals are <see cref="ChatApiException"/>s.
/// </summary>
public sealed class ChatAttachments(HttpClient http, Func<CancellationToken, ValueTask<string?>> accessToken)
{
    /// <summary>Where an attachment downloads from, for people who can read its room (with their bearer token).</summary>
    public static Uri DownloadUri(Uri server, string id) => new(server, $"{ChatPaths.Attachments}/{Uri.EscapeDataString(id)}");

    /// <summary>The server reads the type from the bytes, so none is sent; the name is only what readers see.</summary>
    public async Task<AttachmentInfo> UploadAsync(string room, string fileName, Stream content, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{ChatPaths.Rooms}/{Uri.EscapeDataString(room)}/attachments?name={Uri.EscapeDataString(fileName)}")
        {
            Content = new StreamContent(content),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await accessToken(cancellationToken));
        using var response = await http.SendAsync(request, cancellationToken);
        await ChatAccounts.EnsureSuccessAsync(response, cancellationToken);
        return await response.Content.ReadFromJsonAsync<AttachmentInfo>(cancellationToken)
            ?? throw new InvalidOperationException("The server answered an upload without its description.");
    }
}
