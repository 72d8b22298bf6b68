using System.Net.WebSockets;
using ChatApp.Cli.Accounts;
using ChatApp.Client;
using ChatApp.Contracts;
using Microsoft.AspNetCore.SignalR;

namespace ChatApp.Cli;

/// <summary>Opens a hub connection as the logged-in user, turning every way it can fail into a message the user can act on.</summary>
public static class SessionConnection
{
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(15);

    public static async Task<(Session Session, ChatConnection Connection)> OpenAsync(CliEnvironment env, Uri? server, ChatConnectionOptions options, CancellationToken cancellationToken)
    {
        var (session, tokens) = await LoadAsync(env, server, cancellationToken);
        var connection = env.CreateConnection(session.Server, tokens.Provider, options);
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(ConnectTimeout);
            await connection.StartAsync(timeout.Token);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            await connection.DisposeAsync();
            if (ex.Message.Contains("401", StringComparison.Ordinal))
            {
                // The token was refused before it expired: a refresh tells whether the session has ended.
                try
                {
                    await tokens.RefreshAsync(cancellationToken);
                }
                catch (ChatApiException refused)
                {
                    throw Explain(refused, session.Server);
                }
            }

            throw Explain(ex, session.Server);
        }

        // A dropped connection may mean the session ended: the reconnect refreshes first, and a refused refresh stops it.
        connection.Hub.Reconnecting += _ =>
        {
            tokens.RefreshOnNextUse();
            return Task.CompletedTask;
        };
        tokens.SessionEnded += ended =>
        {
            env.Error.WriteLine("chatapp: your session has ended (logged out elsewhere, or the account was disabled): run `chatapp login` again.");
            _ = StopQuietlyAsync(connection);
        };
        return (session, connection);
    }

    private static async Task StopQuietlyAsync(ChatConnection connection)
    {
        try
        {
            await connection.StopAsync(CancellationToken.None);
        }
        catch (ObjectDisposedException)
        {
            // The command already ended and disposed it.
        }
    }

    /// <summary>The saved session and its tokens, which refresh (and save themselves) when used near their expiry.</summary>
    public static async Task<(Session Session, ChatTokens Tokens)> LoadAsync(CliEnvironment env, Uri? server, CancellationToken cancellationToken)
    {
        var session = await new SessionStore(env.SessionPath).LoadAsync(cancellationToken)
            ?? throw new CliException("Not logged in: run `chatapp login --server URL --user NAME` first.", ExitCodes.NotLoggedIn);
        if (server is not null && !SameServer(server, session.Server))
        {
            throw new CliException($"You are logged in to {session.Server}, not {server}: log in there first.", ExitCodes.NotLoggedIn);
        }

        if (session.ExpiresAt <= DateTimeOffset.UtcNow && session.RefreshToken is null)
        {
            throw new CliException("Your session has expired: run `chatapp login` again.", ExitCodes.NotLoggedIn);
        }

        return (session, Tokens(env, session));
    }

    /// <summary>
    /// The session's tokens, refreshed when a (re)connect needs a fresh access token. Each refresh is saved at once
    /// (the old refresh token is dead), and a refresh first looks whether another chatapp process saved newer tokens.
    /// </summary>
    private static ChatTokens Tokens(CliEnvironment env, Session session)
    {
        var store = new SessionStore(env.SessionPath);
        var current = session;
        // A client per refresh: refreshes are rare, and each then reaches the server as it is now (restarted, say).
        return new ChatTokens((token, ct) => RefreshAsync(env, session.Server, token, ct), session.ToLogin(DateTimeOffset.UtcNow))
        {
            Refreshed = async (login, ct) =>
            {
                current = current with
                {
                    AccessToken = login.AccessToken,
                    RefreshToken = login.RefreshToken,
                    ExpiresAt = DateTimeOffset.UtcNow.AddSeconds(login.ExpiresIn),
                };
                await store.SaveAsync(current, ct);
            },
            Reload = async ct => await store.LoadAsync(ct) is { } saved && saved.UserName == current.UserName && SameServer(saved.Server, current.Server)
                ? (saved.ToLogin(DateTimeOffset.UtcNow), saved.ExpiresAt)
                : null,
        };
    }

    private static async Task<LoginResponse> RefreshAsync(CliEnvironment env, Uri server, string refreshToken, CancellationToken cancellationToken)
    {
        using var http = env.CreateHttpClient(server);
        return await new ChatAccounts(http).RefreshAsync(refreshToken, cancellationToken);
    }

    public static CliException Explain(Exception ex, Uri server) => ex switch
    {
        CliException cli => cli,
        ChatApiException { StatusCode: 401 } => new CliException("Your session has ended: run `chatapp login` again.", ExitCodes.NotLoggedIn, ex),
        ChatApiException api => new CliException(api.Message, ExitCodes.Failure, api),
        HubException hub => new CliException(ServerWords(hub), ExitCodes.Failure, hub),
        WebSocketException or HttpRequestException when ex.Message.Contains("401", StringComparison.Ordinal) =>
            new CliException("The server refused your token: run `chatapp login` again.", ExitCodes.NotLoggedIn, ex),
        WebSocketException or HttpRequestException or IOException =>
            new CliException($"Cannot reach the server at {server}: {ex.Message}", ExitCodes.Failure, ex),
        OperationCanceledException or TimeoutException =>
            new CliException($"The server at {server} did not answer in time.", ExitCodes.Failure, ex),
        _ => new CliException($"{ex.GetType().Name}: {ex.Message}", ExitCodes.Failure, ex),
    };

    /// <summary>The server's own message, without the client library's "An unexpected error occurred invoking ..." wrapper or the code.</summary>
    public static string ServerWords(HubException ex)
    {
        if (ChatErrors.Parse(ex.Message) is { } coded)
        {
            return coded.Text;
        }

        const string marker = "HubException: ";
        var at = ex.Message.IndexOf(marker, StringComparison.Ordinal);
        return at < 0 ? ex.Message : ex.Message[(at + marker.Length)..];
    }

    private static bool SameServer(Uri a, Uri b) => Uri.Compare(a, b, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0;
}
