using System.CommandLine;
using ChatApp.Cli.Chat;
using ChatApp.Client;
using ChatApp.Contracts;

namespace ChatApp.Cli;

/// <summary><c>chatapp search WORDS [--room R]</c>: full-text search from scripts, one result per line on stdout.</summary>
public static class SearchCommand
{
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(30);

    public static Command Create(CliEnvironment env)
    {
        var command = new Command("search", "Search the messages of every room you can read (or one), newest first.");
        var server = CommonOptions.Server(fromSession: true);
        var room = new Option<string?>("--room", "-r") { Description = "Search only this room (a DM as @NAME)." };
        var limit = new Option<int>("--limit", "-n") { Description = "How many results at most (1 to 200).", DefaultValueFactory = _ => 20 };
        limit.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() is < 1 or > 200)
            {
                result.AddError("--limit must be between 1 and 200.");
            }
        });
        var words = new Argument<string[]>("words") { Description = "What to search for: every word must match; the last may be the start of a word.", Arity = ArgumentArity.OneOrMore };
        command.Options.Add(server);
        command.Options.Add(room);
        command.Options.Add(limit);
        command.Arguments.Add(words);
        command.SetAction((parse, ct) => RunAsync(env, parse.GetValue(server), parse.GetValue(room), parse.GetValue(limit), string.Join(' ', parse.GetRequiredValue(words)), ct));
        return command;
    }

    private static async Task<int> RunAsync(CliEnvironment env, Uri? server, string? room, int limit, string query, CancellationToken cancellationToken)
    {
        var (session, connection) = await SessionConnection.OpenAsync(env, server, new ChatConnectionOptions(), cancellationToken);
        await using var _ = connection;
        var formatter = new EntryFormatter(env.Clock, session.UserName, session.Server);
        SearchPage page;
        try
        {
            // The room list names DMs by the other person, in results and in --room.
            foreach (var known in await connection.ListRoomsAsync(cancellationToken).WaitAsync(CallTimeout, cancellationToken))
            {
                formatter.Learn(known);
            }

            var name = room is null ? null : formatter.RoomName(room);
            page = await connection.SearchMessagesAsync(query, name, null, limit, cancellationToken).WaitAsync(CallTimeout, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            throw SessionConnection.Explain(ex, session.Server);
        }

        foreach (var hit in page.Results)
        {
            await env.Out.WriteLineAsync(formatter.Format(hit).AsMemory(), cancellationToken);
        }

        var more = page.HasMore ? $" (more exist: narrow the search or raise --limit)" : "";
        await env.Error.WriteLineAsync($"{page.Results.Count} result{(page.Results.Count == 1 ? "" : "s")}{more}; in `chatapp chat`, /context ROOM#SEQ shows one among the messages around it.".AsMemory(), cancellationToken);
        await connection.StopAsync(cancellationToken);
        return ExitCodes.Success;
    }
}
