using ChatApp.Client;
using ChatApp.Contracts;

namespace ChatApp.Cli.Simulate;

/// <summary>
/// Logs bots in, registering them first when they are new, at as few password hashes as the API allows.
/// </summary>
/// <remarks>
/// Every hash costs the server ~50-100 ms of CPU, and first logins used to cost three: a login of an unknown
/// name still verifies against a dummy hash (so its timing does not reveal which names exist), then the
/// registration hashes, then the login verifies. Registration answers without tokens, so two is the least:
/// once one bot turns out to be new, the next ones register first (register + login), and once a registration
/// finds the name taken, they go back to logging in first (one hash for a bot that exists). Bots are named
/// in order, so runs of new and existing bots are long and a wrong guess is rare.
/// </remarks>
internal sealed class BotLogins(IReadOnlyList<ChatAccounts> accounts, string password)
{
    private volatile bool _registerFirst;

    /// <summary>Attempts of one bot's login while the server answers 503: its password-hashing gate is full, try later.</summary>
    private const int BusyAttempts = 8;

    public async Task<LoginResponse> LoginAsync(Bot bot, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await TryLoginAsync(bot, cancellationToken);
            }
            catch (ChatApiException ex) when (ex.StatusCode == 503 && attempt < BusyAttempts)
            {
                // The server hashes a few passwords at a time and refuses what waited too long: back off, then again.
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(5_000, 250 << attempt)), cancellationToken);
            }
        }
    }

    private async Task<LoginResponse> TryLoginAsync(Bot bot, CancellationToken cancellationToken)
    {
        var account = accounts[bot.HomeServer];
        if (_registerFirst)
        {
            try
            {
                await account.RegisterAsync(bot.Name, password, cancellationToken);
            }
            catch (ChatApiException ex) when (ex.StatusCode == 409)
            {
                _registerFirst = false; // these bots exist already
            }

            return await account.LoginAsync(bot.Name, password, cancellationToken);
        }

        try
        {
            return await account.LoginAsync(bot.Name, password, cancellationToken);
        }
        catch (ChatApiException ex) when (ex.StatusCode == 401)
        {
            _registerFirst = true; // a new bot: the ones after it are likely new too
            try
            {
                await account.RegisterAsync(bot.Name, password, cancellationToken);
            }
            catch (ChatApiException taken) when (taken.StatusCode == 409)
            {
                // Registered meanwhile by another run: then the password was wrong, and the login below says so.
            }

            return await account.LoginAsync(bot.Name, password, cancellationToken);
        }
    }

    /// <summary>A refresh through the bot's current server, else any other that answers (its own may be the one that went away).</summary>
    public Func<string, CancellationToken, Task<LoginResponse>> RefreshFor(Bot bot) => async (refreshToken, cancellationToken) =>
    {
        for (var i = 0; ; i++)
        {
            var account = accounts[(bot.CurrentServer + i) % accounts.Count];
            try
            {
                return await account.RefreshAsync(refreshToken, cancellationToken);
            }
            catch (HttpRequestException) when (i + 1 < accounts.Count)
            {
                // That server is not answering; the refresh token was not spent there.
            }
        }
    };
}
