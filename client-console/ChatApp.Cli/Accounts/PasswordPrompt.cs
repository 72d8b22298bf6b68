using System.Text;

namespace ChatApp.Cli.Accounts;

/// <summary>Reads a password: from $CHATAPP_PASSWORD for scripts, else from the terminal without echo, else a line of stdin.</summary>
public static class PasswordPrompt
{
    public const string Variable = "CHATAPP_PASSWORD";

    public static async Task<string?> ReadAsync(CliEnvironment env, string prompt, CancellationToken cancellationToken)
    {
        if (env.GetVariable(Variable) is { Length: > 0 } fromEnvironment)
        {
            return fromEnvironment;
        }

        await env.Error.WriteAsync(prompt);
        if (!env.InteractiveInput)
        {
            var line = await env.In.ReadLineAsync(cancellationToken);
            await env.Error.WriteLineAsync();
            return line;
        }

        // Console.ReadKey blocks; this is a one-off prompt before any connection exists, so a blocked thread costs nothing.
        var password = new StringBuilder();
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var key = Console.ReadKey(intercept: true);
            if (key.Key == ConsoleKey.Enter)
            {
                break;
            }

            if (key.Key == ConsoleKey.Backspace)
            {
                if (password.Length > 0)
                {
                    password.Length--;
                }
            }
            else if (!char.IsControl(key.KeyChar))
            {
                password.Append(key.KeyChar);
            }
        }

        await env.Error.WriteLineAsync();
        return password.ToString();
    }
}
