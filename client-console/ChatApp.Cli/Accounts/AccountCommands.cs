using System.CommandLine;
using ChatApp.Client;

namespace ChatApp.Cli.Accounts;

/// <summary><c>chatapp register</c> and <c>chatapp login</c>: both end with a saved session.</summary>
public static class AccountCommands
{
    public static Command Register(CliEnvironment env) =>
        Build(env, "register", "Create an account, then log in as it.", register: true);

    public static Command Login(CliEnvironment env) =>
        Build(env, "login", "Log in and keep the token for chat and send.", register: false);

    private static Command Build(CliEnvironment env, string name, string description, bool register)
    {
        var command = new Command(name, description);
        var server = CommonOptions.Server();
        var user = CommonOptions.User();
        command.Options.Add(server);
        command.Options.Add(user);
        command.SetAction((parse, ct) => RunAsync(env, parse.GetRequiredValue(server), parse.GetRequiredValue(user), register, ct));
        return command;
    }

    public static Command Logout(CliEnvironment env)
    {
        var command = new Command("logout", "End the session on the server and forget it here.");
        command.SetAction(async (_, ct) =>
        {
            var store = new SessionStore(env.SessionPath);
            if (await store.LoadAsync(ct) is { RefreshToken: { } refreshToken } session)
            {
                using var http = env.CreateHttpClient(session.Server);
                try
                {
                    await new ChatAccounts(http).LogoutAsync(refreshToken, ct);
                }
                catch (Exception ex) when (ex is ChatApiException or HttpRequestException)
                {
                    // Forgotten here all the same; the server's session then ends when its refresh token expires.
                    await env.Error.WriteLineAsync($"chatapp: the server did not confirm the logout ({ex.Message}).".AsMemory(), ct);
                }
            }

            store.Delete();
            await env.Out.WriteLineAsync("Logged out.".AsMemory(), ct);
            return ExitCodes.Success;
        });
        return command;
    }

    private static async Task<int> RunAsync(CliEnvironment env, Uri server, string userName, bool register, CancellationToken cancellationToken)
    {
        var password = await PasswordPrompt.ReadAsync(env, $"Password for {userName}: ", cancellationToken);
        if (string.IsNullOrEmpty(password))
        {
            throw new CliException($"No password given (type it, or set {PasswordPrompt.Variable}).");
        }

        using var http = env.CreateHttpClient(server);
        var accounts = new ChatAccounts(http);
        try
        {
            if (register)
            {
                await accounts.RegisterAsync(userName, password, cancellationToken);
                await env.Out.WriteLineAsync($"Registered {userName}.".AsMemory(), cancellationToken);
            }

            var login = await accounts.LoginAsync(userName, password, cancellationToken);
            var session = new Session(server, userName, login.AccessToken, DateTimeOffset.UtcNow.AddSeconds(login.ExpiresIn), login.RefreshToken);
            var store = new SessionStore(env.SessionPath);
            await store.SaveAsync(session, cancellationToken);
            await env.Out.WriteLineAsync($"Logged in as {userName} at {server}; session saved to {store.Path}.".AsMemory(), cancellationToken);
            return ExitCodes.Success;
        }
        catch (ChatApiException ex)
        {
            throw new CliException($"{(register ? "Registration" : "Login")} failed: {ex.Message}", ExitCodes.Failure, ex);
        }
        catch (HttpRequestException ex)
        {
            throw new CliException($"Cannot reach the server at {server}: {ex.Message}", ExitCodes.Failure, ex);
        }
    }
}
