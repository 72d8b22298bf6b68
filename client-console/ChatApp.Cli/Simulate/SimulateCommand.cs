using System.CommandLine;
using System.Text.Json;

namespace ChatApp.Cli.Simulate;

/// <summary><c>chatapp simulate</c>: many bot users, each with its own connection, and a check of every delivery.</summary>
public static class SimulateCommand
{
    public static Command Create(CliEnvironment env)
    {
        var defaults = new SimulationOptions { Server = new Uri(CommonOptions.DefaultServer) };
        var command = new Command("simulate", "Run bot users against a server, check every delivery by seq, and report latency and throughput.");
        var server = CommonOptions.Server();
        var users = new Option<int>("--users", "-n") { Description = "Bot users, each with its own connection.", DefaultValueFactory = _ => defaults.Users };
        var rooms = new Option<int>("--rooms") { Description = "Rooms the bots are spread over (named PREFIX-0 .. PREFIX-(R-1)).", DefaultValueFactory = _ => defaults.Rooms };
        var roomsPerUser = new Option<int>("--rooms-per-user") { Description = "Rooms each bot joins.", DefaultValueFactory = _ => defaults.RoomsPerUser };
        var rate = new Option<double>("--rate") { Description = "Messages per user per second (open loop).", DefaultValueFactory = _ => defaults.Rate };
        var duration = CommonOptions.Duration("--duration", "How long to send after the warm-up (e.g. 30s, 2m).", defaults.Duration);
        var warmup = CommonOptions.Duration("--warmup", "Sending before measuring latency.", defaults.Warmup);
        var messageSize = new Option<int>("--message-size") { Description = "Characters per message.", DefaultValueFactory = _ => defaults.MessageSize };
        var jitter = new Option<double>("--jitter") { Description = "Think-time jitter: each gap is 1/rate times [1-j, 1+j].", DefaultValueFactory = _ => defaults.Jitter };
        var seed = new Option<int>("--seed") { Description = "Seed for the send schedule.", DefaultValueFactory = _ => defaults.Seed };
        var json = new Option<FileInfo?>("--json") { Description = "Also write the report as JSON to this file." };
        var compare = new Option<bool>("--compare-sequential") { Description = "Serve the bots one after another, then all at once, and compare." };
        var password = new Option<string>("--password") { Description = "The bots' password.", DefaultValueFactory = _ => defaults.Password };
        var botPrefix = new Option<string>("--bot-prefix") { Description = "Bot names are PREFIX0000, PREFIX0001, ...", DefaultValueFactory = _ => defaults.BotPrefix };
        var roomPrefix = new Option<string>("--room-prefix") { Description = "Room names are PREFIX-0, PREFIX-1, ...", DefaultValueFactory = _ => defaults.RoomPrefix };
        var loginConcurrency = new Option<int>("--login-concurrency") { Description = "Logins in flight at once.", DefaultValueFactory = _ => defaults.LoginConcurrency };
        var connectConcurrency = new Option<int>("--connect-concurrency") { Description = "Connects in flight at once.", DefaultValueFactory = _ => defaults.ConnectConcurrency };
        var drain = CommonOptions.Duration("--drain-timeout", "How long to wait for outstanding acks and deliveries.", defaults.DrainTimeout);
        var idle = new Option<bool>("--idle") { Description = "Connect and join, then stay connected for the duration without sending (memory per idle connection)." };
        var keep = new Option<bool>("--keep-membership") { Description = "Do not leave the rooms at the end." };
        var transport = CommonOptions.Transport(defaults.Transport);
        var protocol = CommonOptions.Protocol();
        Option[] all = [server, users, rooms, roomsPerUser, rate, duration, warmup, messageSize, jitter, seed, json, compare, password, botPrefix, roomPrefix, loginConcurrency, connectConcurrency, drain, idle, keep, transport, protocol];
        foreach (var option in all)
        {
            command.Options.Add(option);
        }

        command.SetAction(async (parse, ct) =>
        {
            var options = new SimulationOptions
            {
                Server = parse.GetRequiredValue(server),
                Users = parse.GetValue(users),
                Rooms = parse.GetValue(rooms),
                RoomsPerUser = parse.GetValue(roomsPerUser),
                Rate = parse.GetValue(rate),
                Duration = parse.GetValue(duration),
                Warmup = parse.GetValue(warmup),
                MessageSize = parse.GetValue(messageSize),
                Jitter = parse.GetValue(jitter),
                Seed = parse.GetValue(seed),
                CompareSequential = parse.GetValue(compare),
                Password = parse.GetRequiredValue(password),
                BotPrefix = parse.GetRequiredValue(botPrefix),
                RoomPrefix = parse.GetRequiredValue(roomPrefix),
                LoginConcurrency = parse.GetValue(loginConcurrency),
                ConnectConcurrency = parse.GetValue(connectConcurrency),
                DrainTimeout = parse.GetValue(drain),
                Idle = parse.GetValue(idle),
                LeaveRoomsAtEnd = !parse.GetValue(keep),
                Transport = parse.GetRequiredValue(transport),
                Protocol = parse.GetValue(protocol),
            };
            return await RunAsync(env, options, parse.GetValue(json), ct);
        });
        return command;
    }

    public static async Task<int> RunAsync(CliEnvironment env, SimulationOptions options, FileInfo? json, CancellationToken cancellationToken)
    {
        if (options.Validate() is { } problem)
        {
            throw new CliException(problem);
        }

        // Hundreds of connections start at once; without a head start the pool adds threads slowly while they ramp.
        ThreadPool.GetMinThreads(out var workers, out var completionPorts);
        ThreadPool.SetMinThreads(Math.Max(workers, 4 * Environment.ProcessorCount), completionPorts);

        var report = await new Simulation(env, options).RunAsync(cancellationToken);
        await env.Out.WriteAsync(report.ToText().AsMemory(), cancellationToken);
        if (json is not null)
        {
            json.Directory?.Create();
            await using var file = json.Create();
            await JsonSerializer.SerializeAsync(file, report, SimulationReport.Json, cancellationToken);
        }

        return report.Passed ? ExitCodes.Success : ExitCodes.DeliveryCheckFailed;
    }
}
