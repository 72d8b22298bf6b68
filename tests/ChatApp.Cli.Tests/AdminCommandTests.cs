using Microsoft.AspNetCore.SignalR;

namespace ChatApp.Cli.Tests;

/// <summary><c>chatapp admin</c> against the admin-only API.</summary>
public sealed class AdminCommandTests : IAsyncLifetime
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(60);
    private readonly ChatTestServer _server = new(settings: new Dictionary<string, string> { ["Auth:Admins:0"] = "root" });

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    private async Task<(int ExitCode, string Out, string Error)> RunAsync(params string[] args)
    {
        var output = new RecordedOutput();
        var error = new RecordedOutput();
        var input = new TypedInput();
        input.EndInput();
        var exitCode = await CliApp.RunAsync(args, _server.Environment(input, output, error), Cancel).WaitAsync(CommandTimeout, Cancel);
        return (exitCode, output.Text, error.Text);
    }

    [Fact]
    public async Task AnAdminDisablesAnAccountAndArchivesARoomFromTheTerminal()
    {
        await _server.TokenForAsync("spammer");
        Assert.Equal(0, (await RunAsync("register", "--server", "http://localhost", "--user", "root")).ExitCode);

        var (disabled, _, disableError) = await RunAsync("admin", "disable", "spammer");
        var (archived, _, archiveError) = await RunAsync("admin", "archive", "general");

        Assert.True(disabled == 0, disableError);
        Assert.True(archived == 0, archiveError);
        await Assert.ThrowsAnyAsync<Exception>(() => _server.TokenForAsync("spammer"));
        await using var reader = await _server.ConnectAsync("reader", "general");
        var refused = await Assert.ThrowsAsync<HubException>(() => reader.SendMessageAsync("general", "hello?", Guid.NewGuid().ToString("N"), Cancel));
        Assert.Contains("archived", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ANonAdminIsRefusedWithAClearMessage()
    {
        await _server.TokenForAsync("someone");
        Assert.Equal(0, (await RunAsync("register", "--server", "http://localhost", "--user", "plain-user")).ExitCode);

        var (exitCode, _, error) = await RunAsync("admin", "disable", "someone");

        Assert.NotEqual(0, exitCode);
        Assert.Contains("Refused", error, StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(await _server.TokenForAsync("someone")));
    }
}
