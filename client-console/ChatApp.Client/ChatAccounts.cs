using System.Net.Http.Json;
using System.Text.Json;
using ChatApp.Contracts;

namespace ChatApp.Client;

/// <summary>A failure the server explained: the status code and the ProblemDetails title, meant for the user.</summary>
public sealed class ChatApiException(int statusCode, string message) : Exception(message)
{
    public int StatusCode { get; } = statusCode;
}

/// <summary>Accounts over REST: register, log in for tokens, refresh them, log out.</summary>
public sealed class ChatAccounts(HttpClient http)
{
    public async Task RegisterAsync(string userName, string password, CancellationToken cancellationToken)
    {
        using var response = await http.PostAsJsonAsync(ChatPaths.Register, new RegisterRequest(userName, password), cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
    }

    public async Task<LoginResponse> LoginAsync(string userName, string password, CancellationToken cancellationToken)
    {
        using var response = await http.PostAsJsonAsync(ChatPaths.Login, new LoginRequest(userName, password), cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
        return await response.Content.ReadFromJsonAsync<LoginResponse>(cancellationToken)
            ?? throw new ChatApiException((int)response.StatusCode, "The server answered the login with an empty body.");
    }

    /// <summary>Spends <paramref name="refreshToken"/> for a new access token and a new refresh token (the old one is then dead).</summary>
    public async Task<LoginResponse> RefreshAsync(string refreshToken, CancellationToken cancellationToken)
    {
        using var response = await http.PostAsJsonAsync(ChatPaths.Refresh, new RefreshRequest(refreshToken), cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
        return await response.Content.ReadFromJsonAsync<LoginResponse>(cancellationToken)
            ?? throw new ChatApiException((int)response.StatusCode, "The server answered the refresh with an empty body.");
    }

    /// <summary>Ends the session on the server: its refresh token stops working and its open connections close.</summary>
    public async Task LogoutAsync(string refreshToken, CancellationToken cancellationToken)
    {
        using var response = await http.PostAsJsonAsync(ChatPaths.Logout, new RefreshRequest(refreshToken), cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
    }

    /// <summary>Logs in, registering the account first when it does not exist yet (bots, scripts).</summary>
    public async Task<LoginResponse> LoginOrRegisterAsync(string userName, string password, CancellationToken cancellationToken)
    {
        try
        {
            return await LoginAsync(userName, password, cancellationToken);
        }
        catch (ChatApiException ex) when (ex.StatusCode == 401)
        {
            await RegisterAsync(userName, password, cancellationToken);
            return await LoginAsync(userName, password, cancellationToken);
        }
    }

    internal static async Task EnsureSuccessAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        var title = response.ReasonPhrase ?? "request failed";
        try
        {
            using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
            if (problem.RootElement.TryGetProperty("title", out var t) && t.GetString() is { Length: > 0 } text)
            {
                title = text;
            }
        }
        catch (JsonException)
        {
            // Not a ProblemDetails body; the status line is all there is to say.
        }

        throw new ChatApiException((int)response.StatusCode, title);
    }
}
