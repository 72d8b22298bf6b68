using System.CommandLine;
using ChatApp.Client;
using ChatApp.Contracts;

namespace ChatApp.Cli;

/// <summary><c>chatapp send --room R [TEXT]</c>: one message, or one per line of stdin; stops at the first failure.</summary>
public static class SendCommand
{
    private const int MaxAttempts = 3;
    private static readonly TimeSpan SendTimeout = TimeSpan.FromSeconds(30);

    public static Command Create(CliEnvironment env)
    {
        var command = new Command("send", "Send a message, or each line of stdin as a message. Joins the room if needed.");
        var server = CommonOptions.Server(fromSession: true);
        var room = new Option<string>("--room", "-r") { Description = "The room to send to; @NAME for the direct conversation with NAME.", Required = true };
        var text = new Argument<string?>("text") { Description = "The message; omit it to read lines from stdin.", Arity = ArgumentArity.ZeroOrOne };
        command.Options.Add(server);
        var transport = CommonOptions.Transport("auto");
        var protocol = CommonOptions.Protocol();
        command.Options.Add(room);
        command.Options.Add(transport);
        command.Options.Add(protocol);
        command.Arguments.Add(text);
        command.SetAction((parse, ct) => RunAsync(env, parse.GetValue(server), CommonOptions.Connection(parse.GetRequiredValue(transport), parse.GetValue(protocol)),
            parse.GetRequiredValue(room), parse.GetValue(text), ct));
        return command;
    }

    private static async Task<int> RunAsync(CliEnvironment env, Uri? server, ChatConnectionOptions options, string room, string? text, CancellationToken cancellationToken)
    {
        var (session, connection) = await SessionConnection.OpenAsync(env, server, options, cancellationToken);
        await using var _ = connection;
        var sent = 0;
        var lineNumber = 0;
        var target = room;
        try
        {
            target = await EnsureMemberAsync(connection, room, cancellationToken);
            if (text is not null)
            {
                await SendOneAsync(connection, target, text, cancellationToken);
                sent++;
            }
            else
            {
                while (await env.In.ReadLineAsync(cancellationToken) is { } line)
                {
                    lineNumber++;
                    if (string.IsNullOrWhiteSpace(line))
                    {
                        continue;
                    }

                    await SendOneAsync(connection, target, line, cancellationToken);
                    sent++;
                }
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            var explained = SessionConnection.Explain(ex, session.Server);
            var where = text is null && lineNumber > 0 ? $"line {lineNumber} not sent ({sent} sent before it): " : "";
            throw new CliException($"{where}{explained.Message}", explained.ExitCode, ex);
        }

        await env.Error.WriteLineAsync($"Sent {sent} message{(sent == 1 ? "" : "s")} to {room}.".AsMemory(), cancellationToken);
        await connection.StopAsync(cancellationToken);
        return ExitCodes.Success;
    }

    /// <summary>
    /// Joins a public room unless already a member (private rooms and DMs refuse a join, but accept their members' sends);
    /// <c>@NAME</c> opens the direct conversation with NAME, the same room whoever opens it.
    /// </summary>
    internal static async Task<string> EnsureMemberAsync(ChatConnection connection, string room, CancellationToken cancellationToken)
    {
        if (room.StartsWith('@') && !room.Contains(':', StringComparison.Ordinal))
        {
            return (await connection.OpenDirectAsync(room[1..], cancellationToken).WaitAsync(SendTimeout, cancellationToken)).Name;
        }

        var rooms = await connection.ListRoomsAsync(cancellationToken).WaitAsync(SendTimeout, cancellationToken);
        var known = rooms.FirstOrDefault(r => string.Equals(r.Name, room, StringComparison.OrdinalIgnoreCase));
        if (known is { IsMember: true })
        {
            return known.Name;
        }

        return (await connection.JoinRoomAsync(room, cancellationToken).WaitAsync(SendTimeout, cancellationToken)).Name;
    }

    private static Task<ChatMessage> SendOneAsync(ChatConnection connection, string room, string text, CancellationToken cancellationToken) =>
        connection.SendWithRetryAsync(room, text, Guid.NewGuid().ToString("N"), MaxAttempts, cancellationToken).WaitAsync(SendTimeout, cancellationToken);
}
