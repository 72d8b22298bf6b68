using ChatApp.Bench.BaselineHub;
using ChatApp.Bench.BaselineHub.Durable;
using ChatApp.Contracts;
using Microsoft.AspNetCore.SignalR;

// Just enough of ChatApp's contract for `chatapp simulate` to run unchanged: accounts answer with a
// dummy token, and the hub keeps rooms as SignalR groups with an in-memory seq. Nothing is stored.
// With `--durable` (Baseline:Durable=true) every send is stored instead, the least a durable chat must do (Durable/).
var builder = WebApplication.CreateBuilder(args.Select(a => a == "--durable" ? "--Baseline:Durable=true" : a).ToArray());
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.Services.AddSignalR().AddMessagePackProtocol(); // both protocols, like ChatApp, so each is compared like for like
builder.Services.AddSingleton<Rooms>();
builder.Services.AddOptions<BaselineOptions>().BindConfiguration(BaselineOptions.Section).ValidateDataAnnotations().ValidateOnStart();
var baseline = builder.Configuration.GetSection(BaselineOptions.Section).Get<BaselineOptions>() ?? new BaselineOptions();
if (baseline.MaxParallelInvocations is { } parallel)
{
    builder.Services.Configure<HubOptions>(hub => hub.MaximumParallelInvocationsPerClient = parallel);
}

if (baseline.Durable)
{
    builder.AddDurableBaseline();
}

var app = builder.Build();

app.MapPost(ChatPaths.Register, (RegisterRequest request) => Results.Created($"/api/users/{request.UserName}", new { userName = request.UserName }));
app.MapPost(ChatPaths.Login, (LoginRequest request) => Results.Ok(new LoginResponse("baseline-" + request.UserName, 86400)));
app.MapGet("/healthz", () => "Healthy");
// Bytes allocated since start (ChatApp exports the same in /metrics): bench/run.sh's CPU probe reads it per message.
app.MapGet("/gc", () => GC.GetTotalAllocatedBytes());
if (baseline.Durable)
{
    app.MapDurableBaseline();
}
else
{
    app.MapHub<BroadcastHub>(ChatPaths.Hub);
}

app.Run();
