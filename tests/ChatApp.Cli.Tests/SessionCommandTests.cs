using ChatApp.Cli.Accounts;
using ChatApp.Client;

namespace ChatApp.Cli.Tests;

/// <summary>The saved session refreshes itself and ends on the server at logout.</summary>
public sealed class SessionCommandTests : IAsyncLifetime
{
    private readonly ChatTestServer _server = new();

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private string SessionPath => Path.Combine(_server.Directory, "session.json");

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    private async Task<Session> SavedAsync() =>
        await new SessionStore(SessionPath).LoadAsync(Cancel) ?? throw new InvalidOperationException("no session saved");

    [Fact]
    public async Task SendWithAnExpiredAccessTokenRefreshesItAndSavesTheNewRefreshToken()
    {
        var (registered, _, registerError) = await _server.RunAsync(["register", "--server", "http://localhost", "--user", "gina"]);
        Assert.True(registered == 0, registerError.Text);
        var login = await SavedAsync();
        Assert.False(string.IsNullOrEmpty(login.RefreshToken));
        // As if the access token had run out while the terminal sat idle.
        await new SessionStore(SessionPath).SaveAsync(login with { ExpiresAt = DateTimeOffset.UtcNow.AddMinutes(-1) }, Cancel);

        var (exitCode, _, error) = await _server.RunAsync(["send", "--room", "general", "sent after a refresh"]);

        Assert.True(exitCode == 0, error.Text);
        var after = await SavedAsync();
        Assert.NotEqual(login.RefreshToken, after.RefreshToken);
        Assert.True(after.ExpiresAt > DateTimeOffset.UtcNow);
        using var http = _server.CreateHttpClient();
        var accounts = new ChatAccounts(http);
        await accounts.RefreshAsync(after.RefreshToken!, Cancel); // the saved token is the live one
        var stale = await Assert.ThrowsAsync<ChatApiException>(() => accounts.RefreshAsync(login.RefreshToken!, Cancel));
        Assert.Equal(401, stale.StatusCode); // the one spent by send is dead
    }

    [Fact]
    public async Task LogoutEndsTheSessionOnTheServerAndForgetsIt()
    {
        var (registered, _, registerError) = await _server.RunAsync(["register", "--server", "http://localhost", "--user", "hank"]);
        Assert.True(registered == 0, registerError.Text);
        var session = await SavedAsync();

        var (exitCode, _, error) = await _server.RunAsync(["logout"]);

        Assert.True(exitCode == 0, error.Text);
        Assert.False(File.Exists(SessionPath));
        using var http = _server.CreateHttpClient();
        var refused = await Assert.ThrowsAsync<ChatApiException>(() => new ChatAccounts(http).RefreshAsync(session.RefreshToken!, Cancel));
        Assert.Equal(401, refused.StatusCode);
    }

    [Fact]
    public async Task ChatEndsWhenItsSessionIsEndedElsewhereAndTheNextCommandSaysToLogIn()
    {
        var (registered, _, registerError) = await _server.RunAsync(["register", "--server", "http://localhost", "--user", "ivan"]);
        Assert.True(registered == 0, registerError.Text);
        var input = new TypedInput();
        var output = new RecordedOutput();
        var chat = CliApp.RunAsync(["chat"], _server.Environment(input, output, new RecordedOutput()), Cancel);
        input.Type("ready");
        await output.WaitForLineAsync("ivan: ready"); // in the room, in the screen loop

        // Another device logs this session out (with the saved refresh token, as `chatapp logout` would).
        using var http = _server.CreateHttpClient();
        await new ChatAccounts(http).LogoutAsync((await SavedAsync()).RefreshToken!, Cancel);

        Assert.Equal(ExitCodes.Failure, await chat.WaitAsync(ChatTestServer.CommandTimeout, Cancel));
        Assert.Contains("* disconnected", output.Lines);
        var (exitCode, _, error) = await _server.RunAsync(["send", "--room", "general", "still there?"]);
        Assert.Equal(ExitCodes.NotLoggedIn, exitCode);
        Assert.Contains("session has ended", error.Text, StringComparison.Ordinal);
    }
}
