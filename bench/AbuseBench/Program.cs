using System.Diagnostics;
using ChatApp.Client;
using ChatApp.Contracts;
using Microsoft.AspNetCore.SignalR;

// A normal user's send-to-ack latency, first alone, then while another user floods the server with sends
// (and is rate-limited). Loopback only, bounded in count and time. Usage: AbuseBench http://127.0.0.1:PORT
var server = new Uri(args.Length > 0 ? args[0] : "http://127.0.0.1:5303");
if (!server.IsLoopback)
{
    await Console.Error.WriteLineAsync("AbuseBench only targets loopback servers.");
    return 2;
}

const int Samples = 25;                                   // within the default burst (30), so the normal user is never limited
var spacing = TimeSpan.FromMilliseconds(100);
var refill = TimeSpan.FromSeconds(16);                    // the default 120/minute refills the normal user's bucket meanwhile
const int FloodWorkers = 8;
const int MaxFloodCalls = 200_000;
using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
var ct = timeout.Token;
const string Password = "abuse-bench-1";

using var http = new HttpClient { BaseAddress = server };
var accounts = new ChatAccounts(http);
var stamp = DateTime.UtcNow.ToString("HHmmss", System.Globalization.CultureInfo.InvariantCulture);
async Task<ChatConnection> ConnectAsync(string name)
{
    var login = await accounts.LoginOrRegisterAsync(name, Password, ct);
    var connection = new ChatConnection(server, _ => ValueTask.FromResult<string?>(login.AccessToken));
    await connection.StartAsync(ct);
    await connection.JoinRoomAsync("general", ct);
    return connection;
}

await using var normal = await ConnectAsync($"normal{stamp}");
await using var abuser = await ConnectAsync($"abuser{stamp}");

async Task<List<double>> TimeAcksAsync(string phase)
{
    var times = new List<double>();
    for (var i = 0; i < Samples; i++)
    {
        var started = Stopwatch.GetTimestamp();
        await normal.SendMessageAsync("general", $"{phase} {i}", Guid.NewGuid().ToString("N"), ct);
        times.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        await Task.Delay(spacing, ct);
    }

    return times;
}

var alone = await TimeAcksAsync("alone");
await Task.Delay(refill, ct);

long accepted = 0, limited = 0, calls = 0;
using var stopFlood = CancellationTokenSource.CreateLinkedTokenSource(ct);
var flood = Enumerable.Range(0, FloodWorkers).Select(async worker =>
{
    while (!stopFlood.IsCancellationRequested && Interlocked.Increment(ref calls) <= MaxFloodCalls)
    {
        try
        {
            await abuser.SendMessageAsync("general", "flood", Guid.NewGuid().ToString("N"), stopFlood.Token);
            Interlocked.Increment(ref accepted);
        }
        catch (HubException ex) when (ChatErrors.Parse(ex.Message)?.Code == ChatErrorCodes.RateLimited)
        {
            Interlocked.Increment(ref limited);
        }
        catch (OperationCanceledException)
        {
            return;
        }
    }
}).ToArray();
await Task.Delay(TimeSpan.FromSeconds(1), ct); // the flood is under way (and already limited) before timing starts
var floodStarted = Stopwatch.GetTimestamp();
var flooded = await TimeAcksAsync("flooded");
await stopFlood.CancelAsync();
await Task.WhenAll(flood);
var floodSeconds = Stopwatch.GetElapsedTime(floodStarted).TotalSeconds + 1;

static double P(List<double> values, double q) => values.Order().ElementAt(Math.Min(values.Count - 1, (int)Math.Ceiling(q * values.Count) - 1));
static string Row(string name, List<double> v) =>
    $"{name,-22} p50 {P(v, 0.5),7:F1} ms   p90 {P(v, 0.9),7:F1} ms   p99 {P(v, 0.99),7:F1} ms   max {v.Max(),7:F1} ms";

await Console.Out.WriteLineAsync($"normal user's send-to-ack latency, {Samples} sends {spacing.TotalMilliseconds:F0} ms apart in each phase");
await Console.Out.WriteLineAsync(Row("alone", alone));
await Console.Out.WriteLineAsync(Row("while another floods", flooded));
await Console.Out.WriteLineAsync($"ratio (flooded / alone): p50 {P(flooded, 0.5) / P(alone, 0.5):F2}   p90 {P(flooded, 0.9) / P(alone, 0.9):F2}");
await Console.Out.WriteLineAsync($"abuser: {accepted + limited} sends in ~{floodSeconds:F0} s with {FloodWorkers} in flight; {accepted} accepted, {limited} refused as rate_limited");
return 0;
