using Microsoft.AspNetCore.SignalR;

namespace ChatApp.Cli.Tests;

/// <summary><c>chatapp admin</c> against the admin-only API.</summary>
public sealed class AdminCommandTests : IAsyncLifetime
{
    private readonly ChatTestServer _server = new(settings: new Dictionary<string, string> { ["Auth:Admins:0"] = "root" });

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    [Fact]
    public async Task AnAdminDisablesAnAccountAndArchivesARoomFromTheTerminal()
    {
        await _server.TokenForAsync("spammer");
        await _server.LoginAsync("root");

        var (disabled, _, disableError) = await _server.RunAsync(["admin", "disable", "spammer"]);
        var (archived, _, archiveError) = await _server.RunAsync(["admin", "archive", "general"]);

        Assert.True(disabled == 0, disableError.Text);
        Assert.True(archived == 0, archiveError.Text);
        await Assert.ThrowsAnyAsync<Exception>(() => _server.TokenForAsync("spammer"));
        await using var reader = await _server.ConnectAsync("reader", "general");
        var refused = await Assert.ThrowsAsync<HubException>(() => reader.SendMessageAsync("general", "hello?", Guid.NewGuid().ToString("N"), Cancel));
        Assert.Contains("archived", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ANonAdminIsRefusedWithAClearMessage()
    {
        await _server.TokenForAsync("someone");
        await _server.LoginAsync("plain-user");

        var (exitCode, _, error) = await _server.RunAsync(["admin", "disable", "someone"]);

        Assert.NotEqual(0, exitCode);
        Assert.Contains("Refused", error.Text, StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(await _server.TokenForAsync("someone")));
    }
}
