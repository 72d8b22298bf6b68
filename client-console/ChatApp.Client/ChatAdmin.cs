using System.Net.Http.Headers;
using ChatApp.Contracts;

namespace ChatApp.Client;

/// <summary>The admin API over REST (and room deletion, which owners may do too). Refusals are <see cref="ChatApiException"/>s.</summary>
public sealed class ChatAdmin(HttpClient http, Func<CancellationToken, Task<string>> accessToken)
{
    public Task DisableUserAsync(string userName, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, $"{ChatPaths.Admin}/users/{Uri.EscapeDataString(userName)}/disable", cancellationToken);

    public Task EnableUserAsync(string userName, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, $"{ChatPaths.Admin}/users/{Uri.EscapeDataString(userName)}/enable", cancellationToken);

    public Task SetAdminAsync(string userName, bool isAdmin, CancellationToken cancellationToken) =>
        SendAsync(isAdmin ? HttpMethod.Put : HttpMethod.Delete, $"{ChatPaths.Admin}/users/{Uri.EscapeDataString(userName)}/admin", cancellationToken);

    public Task SetArchivedAsync(string room, bool archived, CancellationToken cancellationToken) =>
        SendAsync(archived ? HttpMethod.Put : HttpMethod.Delete, $"{ChatPaths.Admin}/rooms/{Uri.EscapeDataString(room)}/archive", cancellationToken);

    public Task DeleteRoomAsync(string room, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Delete, $"{ChatPaths.Rooms}/{Uri.EscapeDataString(room)}", cancellationToken);

    public Task RemoveMessageAsync(string room, long seq, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Delete, $"{ChatPaths.Admin}/rooms/{Uri.EscapeDataString(room)}/messages/{seq}", cancellationToken);

    private async Task SendAsync(HttpMethod method, string path, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await accessToken(cancellationToken));
        using var response = await http.SendAsync(request, cancellationToken);
        await ChatAccounts.EnsureSuccessAsync(response, cancellationToken);
    }
}
