using System.CommandLine;
using ChatApp.Cli.Accounts;
using ChatApp.Cli.Admin;
using ChatApp.Cli.Chat;
using ChatApp.Cli.Simulate;

namespace ChatApp.Cli;

/// <summary>The <c>chatapp</c> command tree. Runs the same in the real process and in tests, which inject streams and the server.</summary>
public static class CliApp
{
    public static RootCommand Build(CliEnvironment env)
    {
        var root = new RootCommand("ChatApp from the terminal: chat, send and search from scripts, and simulate load.");
        root.Subcommands.Add(AccountCommands.Register(env));
        root.Subcommands.Add(AccountCommands.Login(env));
        root.Subcommands.Add(AccountCommands.Logout(env));
        root.Subcommands.Add(ChatCommand.Create(env));
        root.Subcommands.Add(SendCommand.Create(env));
        root.Subcommands.Add(SearchCommand.Create(env));
        root.Subcommands.Add(SimulateCommand.Create(env));
        root.Subcommands.Add(AdminCommand.Create(env));
        return root;
    }

    public static async Task<int> RunAsync(string[] args, CliEnvironment env, CancellationToken cancellationToken = default)
    {
        // No response files: "@alice" is how a DM is named (search --room @alice), not a file of arguments.
        var parse = Build(env).Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
        var invocation = new InvocationConfiguration { Output = env.Out, Error = env.Error, EnableDefaultExceptionHandler = false };
        try
        {
            return await parse.InvokeAsync(invocation, cancellationToken);
        }
        catch (CliException ex)
        {
            await env.Error.WriteLineAsync($"chatapp: {ex.Message}");
            return ex.ExitCode;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await env.Error.WriteLineAsync("chatapp: cancelled");
            return ExitCodes.Failure;
        }
    }
}
