using System.CommandLine;
using ChatApp.Client;

namespace ChatApp.Cli.Admin;

/// <summary><c>chatapp admin ...</c>: the admin API as the logged-in user (who must be an admin; owners may delete their rooms).</summary>
public static class AdminCommand
{
    public static Command Create(CliEnvironment env)
    {
        var admin = new Command("admin", "Administer accounts, rooms and messages (admins only).");
        admin.Subcommands.Add(OnUser(env, "disable", "Disable an account: its sessions end at once and it cannot log in.", (a, user, ct) => a.DisableUserAsync(user, ct)));
        admin.Subcommands.Add(OnUser(env, "enable", "Enable a disabled account again.", (a, user, ct) => a.EnableUserAsync(user, ct)));
        admin.Subcommands.Add(OnUser(env, "grant", "Make a user an admin (from their next login or refresh).", (a, user, ct) => a.SetAdminAsync(user, true, ct)));
        admin.Subcommands.Add(OnUser(env, "revoke", "Take the admin role away (configured admins keep it).", (a, user, ct) => a.SetAdminAsync(user, false, ct)));
        admin.Subcommands.Add(OnRoom(env, "archive", "Archive a room: readable, no new messages.", (a, room, ct) => a.SetArchivedAsync(room, true, ct)));
        admin.Subcommands.Add(OnRoom(env, "unarchive", "Open an archived room again.", (a, room, ct) => a.SetArchivedAsync(room, false, ct)));
        admin.Subcommands.Add(OnRoom(env, "delete-room", "Delete a room for everyone (its owner may too).", (a, room, ct) => a.DeleteRoomAsync(room, ct)));

        var remove = new Command("remove-message", "Remove any message: a delete entry in the room's log.");
        var room = new Argument<string>("room");
        var seq = new Argument<long>("seq");
        remove.Arguments.Add(room);
        remove.Arguments.Add(seq);
        remove.SetAction((parse, ct) => RunAsync(env, (a, c) => a.RemoveMessageAsync(parse.GetRequiredValue(room), parse.GetValue(seq), c),
            $"Removed message #{parse.GetValue(seq)} from {parse.GetRequiredValue(room)}.", ct));
        admin.Subcommands.Add(remove);
        return admin;
    }

    private static Command OnUser(CliEnvironment env, string name, string description, Func<ChatAdmin, string, CancellationToken, Task> action) =>
        On(env, name, description, "user", action, past: $"{name}: done for");

    private static Command OnRoom(CliEnvironment env, string name, string description, Func<ChatAdmin, string, CancellationToken, Task> action) =>
        On(env, name, description, "room", action, past: $"{name}: done for");

    private static Command On(CliEnvironment env, string name, string description, string argument, Func<ChatAdmin, string, CancellationToken, Task> action, string past)
    {
        var command = new Command(name, description);
        var target = new Argument<string>(argument);
        command.Arguments.Add(target);
        command.SetAction((parse, ct) =>
        {
            var value = parse.GetRequiredValue(target);
            return RunAsync(env, (a, c) => action(a, value, c), $"{past} {value}.", ct);
        });
        return command;
    }

    private static async Task<int> RunAsync(CliEnvironment env, Func<ChatAdmin, CancellationToken, Task> action, string done, CancellationToken cancellationToken)
    {
        var (session, tokens) = await SessionConnection.LoadAsync(env, null, cancellationToken);
        using var _ = tokens;
        using var http = env.CreateHttpClient(session.Server);
        try
        {
            await action(new ChatAdmin(http, tokens.GetAccessTokenAsync), cancellationToken);
        }
        catch (ChatApiException ex) when (ex.StatusCode == 403)
        {
            throw new CliException($"Refused: {ex.Message} (admin commands need an admin; log in again after being made one).", ExitCodes.Failure, ex);
        }
        catch (Exception ex) when (ex is ChatApiException or HttpRequestException)
        {
            throw SessionConnection.Explain(ex, session.Server);
        }

        await env.Out.WriteLineAsync(done.AsMemory(), cancellationToken);
        return ExitCodes.Success;
    }
}
