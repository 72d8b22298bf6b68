using System.Diagnostics;

namespace ChatApp.Cli.Tests;

/// <summary>The real <c>chatapp</c> process, over real sockets to a server on a loopback port.</summary>
public sealed class ProcessTests : IAsyncLifetime
{
    private static readonly TimeSpan ProcessTimeout = TimeSpan.FromSeconds(60);
    private readonly ChatTestServer _server = new(kestrel: true);

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    private async Task<(int ExitCode, string Out, string Error)> ChatappAsync(string stdin, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "chatapp.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["CHATAPP_SESSION"] = Path.Combine(_server.Directory, "process-session.json");
        start.Environment["CHATAPP_PASSWORD"] = ChatTestServer.Password;
        using var process = Process.Start(start)!; // dotnet is on the PATH of every machine that runs these tests
        var output = process.StandardOutput.ReadToEndAsync(Cancel);
        var error = process.StandardError.ReadToEndAsync(Cancel);
        await process.StandardInput.WriteAsync(stdin);
        process.StandardInput.Close();
        try
        {
            await process.WaitForExitAsync(Cancel).WaitAsync(ProcessTimeout, Cancel);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, await output, await error);
    }

    [Fact]
    public async Task TheChatappProcessRegistersSendsFromAPipeAndChats()
    {
        var server = _server.BaseAddress.ToString();

        var register = await ChatappAsync("", "register", "--server", server, "--user", "nina");
        Assert.True(register.ExitCode == 0, register.Error);

        var send = await ChatappAsync("piped one\npiped two\n", "send", "--room", "general");
        Assert.True(send.ExitCode == 0, send.Error);

        var chat = await ChatappAsync("typed three\n/history 10\n/quit\n", "chat", "--room", "general");
        Assert.True(chat.ExitCode == 0, chat.Error);
        Assert.Contains("nina: piped one", chat.Out, StringComparison.Ordinal);
        Assert.Contains("nina: piped two", chat.Out, StringComparison.Ordinal);
        // Stdin and stdout are pipes, not a terminal: nothing to erase, so no escape sequence in what a script reads.
        Assert.DoesNotContain('\u001b', chat.Out);

        var history = await _server.HistoryAsync(await _server.TokenForAsync("nina"), "general");
        Assert.Equal(["piped one", "piped two", "typed three"], history.Select(m => m.Text));

        var bad = await ChatappAsync("", "send", "--room", "nowhere", "hello");
        Assert.Equal(1, bad.ExitCode);
        Assert.Contains("There is no room named 'nowhere'", bad.Error, StringComparison.Ordinal);
    }
}
