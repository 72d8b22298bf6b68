using System.CommandLine;

namespace ChatApp.Cli.Chat;

/// <summary><c>chatapp chat [--room general]</c>: the interactive terminal chat.</summary>
public static class ChatCommand
{
    public static Command Create(CliEnvironment env)
    {
        var command = new Command("chat", "Chat interactively; type /help inside for commands.");
        var server = CommonOptions.Server(fromSession: true);
        var room = CommonOptions.Room("general");
        command.Options.Add(server);
        var transport = CommonOptions.Transport("auto");
        var protocol = CommonOptions.Protocol();
        command.Options.Add(room);
        command.Options.Add(transport);
        command.Options.Add(protocol);
        command.SetAction(async (parse, ct) =>
        {
            var options = CommonOptions.Connection(parse.GetRequiredValue(transport), parse.GetValue(protocol));
            var (session, connection) = await SessionConnection.OpenAsync(env, parse.GetValue(server), options, ct);
            await using var chat = new ChatSession(env, session, connection);
            try
            {
                return await chat.RunAsync(parse.GetRequiredValue(room), ct);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                // Joining the first room failed (no such room, say): say why, and exit non-zero.
                throw SessionConnection.Explain(ex, session.Server);
            }
        });
        return command;
    }
}
