using ChatApp.Contracts;

namespace ChatApp.Client;

/// <summary>
/// Holds a session's access and refresh tokens and hands <see cref="ChatConnection"/> an access token that is
/// good for a while yet, refreshing first when it is near its end. The server closes a hub connection when its
/// token expires; the connection's reconnect then asks here, gets a fresh token, and catches up by seq.
/// </summary>
/// <remarks>
/// Refreshes are serialized: a refresh token works once, and a second use of it ends the session (theft detection).
/// </remarks>
public sealed class ChatTokens(Func<string, CancellationToken, Task<LoginResponse>> refresh, LoginResponse login, TimeProvider? clock = null) : IDisposable
{
    /// <summary>Refreshes through <paramref name="accounts"/>, whose HttpClient must outlive these tokens.</summary>
    public ChatTokens(ChatAccounts accounts, LoginResponse login, TimeProvider? clock = null)
        : this(accounts.RefreshAsync, login, clock)
    {
    }

    private readonly SemaphoreSlim _refreshing = new(1, 1);
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;
    private LoginResponse _current = login;
    private volatile bool _suspect;
    private DateTimeOffset _expiresAt = (clock ?? TimeProvider.System).GetUtcNow().AddSeconds(login.ExpiresIn);

    /// <summary>Raised when a refresh is refused (401): the session has ended (logout elsewhere, account disabled, expired).</summary>
    public event Action<ChatApiException>? SessionEnded;

    /// <summary>Called after every refresh with the new tokens, e.g. to save the new refresh token.</summary>
    public Func<LoginResponse, CancellationToken, Task>? Refreshed { get; set; }

    /// <summary>Called before a refresh; may return newer tokens saved by another process sharing this session.</summary>
    public Func<CancellationToken, Task<(LoginResponse Tokens, DateTimeOffset ExpiresAt)?>>? Reload { get; set; }

    public string AccessToken => _current.AccessToken;

    public string? RefreshToken => _current.RefreshToken;

    public DateTimeOffset ExpiresAt => _expiresAt;

    /// <summary>For <see cref="ChatConnection"/>: called on every connect and reconnect.</summary>
    public Func<CancellationToken, ValueTask<string?>> Provider => async ct => await GetAccessTokenAsync(ct);

    /// <summary>The access token, refreshed first when less than a quarter of its life (at most a minute) is left.</summary>
    public async Task<string> GetAccessTokenAsync(CancellationToken cancellationToken)
    {
        if (!_suspect && !NearExpiry(_expiresAt, _current.ExpiresIn))
        {
            return _current.AccessToken;
        }

        await _refreshing.WaitAsync(cancellationToken);
        try
        {
            if (_suspect || NearExpiry(_expiresAt, _current.ExpiresIn))
            {
                await RefreshLockedAsync(cancellationToken);
            }

            return _current.AccessToken;
        }
        finally
        {
            _refreshing.Release();
        }
    }

    /// <summary>
    /// Makes the next use refresh even if the access token has time left: call it when the server closed the connection,
    /// which may mean the session ended; the refresh then says so (<see cref="SessionEnded"/>) instead of reconnecting in vain.
    /// </summary>
    public void RefreshOnNextUse() => _suspect = true;

    /// <summary>Refreshes now, whatever the expiry says. Throws <see cref="ChatApiException"/> (401) when the session has ended.</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        await _refreshing.WaitAsync(cancellationToken);
        try
        {
            await RefreshLockedAsync(cancellationToken);
        }
        finally
        {
            _refreshing.Release();
        }
    }

    private async Task RefreshLockedAsync(CancellationToken cancellationToken)
    {
        if (Reload is not null && await Reload(cancellationToken) is { } saved
            && saved.Tokens.RefreshToken != _current.RefreshToken)
        {
            // Someone else sharing this session refreshed already; their tokens are the live ones.
            _current = saved.Tokens;
            _expiresAt = saved.ExpiresAt;
            if (!NearExpiry(_expiresAt, _current.ExpiresIn))
            {
                return;
            }
        }

        var refreshToken = _current.RefreshToken
            ?? throw new ChatApiException(401, "This session has no refresh token; log in again.");
        LoginResponse next;
        try
        {
            next = await refresh(refreshToken, cancellationToken);
        }
        catch (ChatApiException ex) when (ex.StatusCode == 401)
        {
            SessionEnded?.Invoke(ex);
            throw;
        }

        _suspect = false;
        _current = next;
        _expiresAt = _clock.GetUtcNow().AddSeconds(next.ExpiresIn);
        if (Refreshed is not null)
        {
            await Refreshed(next, cancellationToken);
        }
    }

    private bool NearExpiry(DateTimeOffset expiresAt, long lifetimeSeconds)
    {
        var margin = TimeSpan.FromSeconds(Math.Min(60, lifetimeSeconds / 4.0));
        return _clock.GetUtcNow() >= expiresAt - margin;
    }

    public void Dispose() => _refreshing.Dispose();
}
