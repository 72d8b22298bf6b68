using ChatApp.Bench.BaselineHub;
using ChatApp.Contracts;

// Just enough of ChatApp's contract for `chatapp simulate` to run unchanged: accounts answer with a
// dummy token, and the hub keeps rooms as SignalR groups with an in-memory seq. Nothing is stored.
var builder = WebApplication.CreateBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.Services.AddSignalR().AddMessagePackProtocol(); // both protocols, like ChatApp, so each is compared like for like
builder.Services.AddSingleton<Rooms>();

var app = builder.Build();

app.MapPost(ChatPaths.Register, (RegisterRequest request) => Results.Created($"/api/users/{request.UserName}", new { userName = request.UserName }));
app.MapPost(ChatPaths.Login, (LoginRequest request) => Results.Ok(new LoginResponse("baseline-" + request.UserName, 86400)));
app.MapGet("/healthz", () => "Healthy");
// Bytes allocated since start (ChatApp exports the same in /metrics): bench/run.sh's CPU probe reads it per message.
app.MapGet("/gc", () => GC.GetTotalAllocatedBytes());
app.MapHub<BroadcastHub>(ChatPaths.Hub);

app.Run();
