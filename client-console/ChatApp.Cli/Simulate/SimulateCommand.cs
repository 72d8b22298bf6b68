using System.CommandLine;
using System.Text.Json;

namespace ChatApp.Cli.Simulate;

/// <summary><c>chatapp simulate</c>: many bot users, each with its own connection, and a check of every delivery.</summary>
public static class SimulateCommand
{
    public static Command Create(CliEnvironment env)
    {
        var defaults = new SimulationOptions { Servers = [new Uri(CommonOptions.DefaultServer)] };
        var command = new Command("simulate", "Run bot users against a server, check every delivery by seq, and report latency and throughput.");
        var server = new Option<IReadOnlyList<Uri>>("--server", "-s")
        {
            Description = $"The server's URL, or several separated by commas (the nodes of a cluster): bots are dealt out round-robin, and one whose server goes away moves to the next (default {CommonOptions.DefaultServer}).",
            DefaultValueFactory = _ => [new Uri(CommonOptions.DefaultServer)],
            CustomParser = ParseServers,
        };
        var users = new Option<int>("--users", "-n") { Description = "Bot users, each with its own connection.", DefaultValueFactory = _ => defaults.Users };
        var rooms = new Option<int>("--rooms") { Description = "Rooms the bots are spread over (names: see --room-prefix).", DefaultValueFactory = _ => defaults.Rooms };
        var roomsPerUser = new Option<int>("--rooms-per-user") { Description = "Rooms each bot joins.", DefaultValueFactory = _ => defaults.RoomsPerUser };
        var rate = new Option<double>("--rate") { Description = "Messages per user per second (open loop).", DefaultValueFactory = _ => defaults.Rate };
        var rates = new Option<IReadOnlyList<double>>("--rates")
        {
            Description = "Several rates, comma-separated (e.g. 1,2,4,8): one step each, with the same connected bots, one report per step and a summary.",
            DefaultValueFactory = _ => [],
            CustomParser = ParseRates,
        };
        var p99Limit = new Option<double?>("--p99-limit") { Description = "Milliseconds: a step whose delivery p99 is above this is not clean." };
        var stopWhenUnclean = new Option<bool>("--stop-when-unclean") { Description = "With --rates: stop after the first step that is not clean (p99 over --p99-limit, anything missing or failed)." };
        var deal = new Option<SimulationDeal>("--deal")
        {
            Description = "With several servers: round-robin (bot i to server i mod N, the default), spread (every room's members over every server) or by-room (each room's members on one server).",
            DefaultValueFactory = _ => defaults.Deal,
            CustomParser = ParseDeal,
        };
        var warmupSteps = new Option<int>("--warmup-steps") { Description = "With --rates: the first N rates only warm the server up; reported, but not in the summary, and never a reason to stop." };
        var keepRooms = new Option<bool>("--keep-rooms") { Description = "Do not delete the simulation's rooms at the end (by default their owner, the first bot, deletes them)." };
        var duration = CommonOptions.Duration("--duration", "How long to send after the warm-up, per step (e.g. 30s, 2m).", defaults.Duration);
        var warmup = CommonOptions.Duration("--warmup", "Sending before measuring latency.", defaults.Warmup);
        var messageSize = new Option<int>("--message-size") { Description = "Characters per message.", DefaultValueFactory = _ => defaults.MessageSize };
        var jitter = new Option<double>("--jitter") { Description = "Think-time jitter: each gap is 1/rate times [1-j, 1+j].", DefaultValueFactory = _ => defaults.Jitter };
        var seed = new Option<int>("--seed") { Description = "Seed for the send schedule.", DefaultValueFactory = _ => defaults.Seed };
        var json = new Option<FileInfo?>("--json") { Description = "Also write the report as JSON to this file." };
        var html = new Option<FileInfo?>("--html") { Description = "Also write a self-contained HTML report with latency (p50/p99) and throughput per second as charts." };
        var compare = new Option<bool>("--compare-sequential") { Description = "Serve the bots one after another, then all at once, and compare." };
        var password = new Option<string>("--password") { Description = "The bots' password.", DefaultValueFactory = _ => defaults.Password };
        var botPrefix = new Option<string>("--bot-prefix") { Description = "Bot names are PREFIX0000, PREFIX0001, ...", DefaultValueFactory = _ => defaults.BotPrefix };
        var roomPrefix = new Option<string>("--room-prefix") { Description = "Room names are PREFIX-TAG-0, PREFIX-TAG-1, ... (TAG new each run, as a deleted room's name stays taken), or PREFIX-0, ... with --keep-rooms", DefaultValueFactory = _ => defaults.RoomPrefix };
        var loginConcurrency = new Option<int>("--login-concurrency") { Description = "Logins in flight at once.", DefaultValueFactory = _ => defaults.LoginConcurrency };
        var connectConcurrency = new Option<int>("--connect-concurrency") { Description = "Connects in flight at once.", DefaultValueFactory = _ => defaults.ConnectConcurrency };
        var drain = CommonOptions.Duration("--drain-timeout", "How long to wait for outstanding acks and deliveries.", defaults.DrainTimeout);
        var idle = new Option<bool>("--idle") { Description = "Connect and join, then stay connected for the duration without sending (memory per idle connection)." };
        var keep = new Option<bool>("--keep-membership") { Description = "Do not leave the rooms at the end." };
        var transport = CommonOptions.Transport(defaults.Transport);
        var protocol = CommonOptions.Protocol();
        Option[] all = [server, deal, users, rooms, roomsPerUser, rate, rates, p99Limit, stopWhenUnclean, warmupSteps, keepRooms, duration, warmup, messageSize, jitter, seed, json, html, compare, password, botPrefix, roomPrefix, loginConcurrency, connectConcurrency, drain, idle, keep, transport, protocol];
        foreach (var option in all)
        {
            command.Options.Add(option);
        }

        command.SetAction(async (parse, ct) =>
        {
            var options = new SimulationOptions
            {
                Servers = parse.GetRequiredValue(server),
                Deal = parse.GetValue(deal),
                Users = parse.GetValue(users),
                Rooms = parse.GetValue(rooms),
                RoomsPerUser = parse.GetValue(roomsPerUser),
                Rate = parse.GetValue(rate),
                Rates = parse.GetRequiredValue(rates),
                P99LimitMilliseconds = parse.GetValue(p99Limit),
                StopWhenUnclean = parse.GetValue(stopWhenUnclean),
                WarmupSteps = parse.GetValue(warmupSteps),
                KeepRooms = parse.GetValue(keepRooms),
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
            return await RunAsync(env, options, parse.GetValue(json), parse.GetValue(html), ct);
        });
        return command;
    }

    public static async Task<int> RunAsync(CliEnvironment env, SimulationOptions options, FileInfo? json, FileInfo? html, CancellationToken cancellationToken)
    {
        if (options.Validate() is { } problem)
        {
            throw new CliException(problem);
        }

        // Hundreds of connections start at once; without a head start the pool adds threads slowly while they ramp.
        ThreadPool.GetMinThreads(out var workers, out var completionPorts);
        ThreadPool.SetMinThreads(Math.Max(workers, 4 * Environment.ProcessorCount), completionPorts);

        var simulation = new Simulation(env, options);
        var outcome = await simulation.RunAsync(cancellationToken);
        object written;
        bool passed;
        if (options.Rates.Count > 0 && outcome.Steps is [{ Comparison: null, Deliveries: not null }, ..])
        {
            // Each step's report was printed as it ended; the summary closes the run.
            var stepped = new SteppedReport(outcome.Steps, SteppedReport.Summarize(outcome.Steps, options.P99LimitMilliseconds, outcome.StoppedEarly, options.WarmupSteps), outcome.Cleanup);
            await env.Out.WriteAsync(stepped.ToText().AsMemory(), cancellationToken);
            (written, passed) = (stepped, stepped.Passed);
        }
        else
        {
            var report = outcome.Steps[0];
            await env.Out.WriteAsync(report.ToText().AsMemory(), cancellationToken);
            (written, passed) = (report, report.Passed);
        }

        if (json is not null)
        {
            json.Directory?.Create();
            await using var file = json.Create();
            await JsonSerializer.SerializeAsync(file, written, written.GetType(), SimulationReport.Json, cancellationToken);
        }

        if (html is not null)
        {
            html.Directory?.Create();
            await File.WriteAllTextAsync(html.FullName, HtmlReport.Render(outcome.Steps, simulation.Timeline.Points()), cancellationToken);
        }

        return passed ? ExitCodes.Success : ExitCodes.DeliveryCheckFailed;
    }

    private static List<Uri> ParseServers(System.CommandLine.Parsing.ArgumentResult result)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : CommonOptions.DefaultServer;
        var servers = new List<Uri>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (Uri.TryCreate(part, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps))
            {
                servers.Add(uri);
            }
            else
            {
                result.AddError($"'{part}' is not an http:// or https:// URL.");
            }
        }

        return servers;
    }

    private static SimulationDeal ParseDeal(System.CommandLine.Parsing.ArgumentResult result)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "round-robin";
        switch (text.ToLowerInvariant())
        {
            case "round-robin":
                return SimulationDeal.RoundRobin;
            case "spread":
                return SimulationDeal.Spread;
            case "by-room":
                return SimulationDeal.ByRoom;
            default:
                result.AddError($"--deal takes round-robin, spread or by-room, not '{text}'.");
                return SimulationDeal.RoundRobin;
        }
    }

    private static List<double> ParseRates(System.CommandLine.Parsing.ArgumentResult result)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
        var rates = new List<double>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (double.TryParse(part, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var value))
            {
                rates.Add(value);
            }
            else
            {
                result.AddError($"'{part}' in --rates is not a number.");
            }
        }

        return rates;
    }
}
