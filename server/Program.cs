using ChatApp.Contracts;
using ChatApp.Server.Auth;
using ChatApp.Server.Data;
using ChatApp.Server.Errors;
using ChatApp.Server.Hosting;
using ChatApp.Server.Hubs;
using ChatApp.Server.Messages;

var builder = WebApplication.CreateBuilder(args);

// Logging: Serilog from appsettings.json, console plus rolling file.
builder.AddChatLogging();

// Storage: SQLite (WAL, synchronous=FULL), EF Core migrations at start-up, one server per database; token keys beside it.
builder.AddChatData();

// Accounts and bearer tokens (REST header, or access_token on the hub's WebSocket request).
builder.AddChatAuth();

// Rooms and messages: the hub, the single database writer, the live fan-out.
builder.AddChatMessaging();

// Metrics: OpenTelemetry (ASP.NET Core, Kestrel, SignalR, runtime, ChatApp's own) for Prometheus at /metrics.
builder.AddChatMetrics();

// Errors: ChatException becomes ProblemDetails on REST (and HubException on the hub).
builder.Services.AddProblemDetails();
builder.Services.AddExceptionHandler<ChatExceptionHandler>();

var app = builder.Build();

app.UseRequestLogging();
app.UseQuickShutdown();
app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseHubOriginCheck();
app.UseWebSockets();
app.UseDefaultFiles();
app.UseStaticFiles();
app.UseAuthentication();
app.UseAuthorization();

app.MapAuthApi();
app.MapMessagesApi();
app.MapHub<ChatHub>(ChatPaths.Hub);
app.MapChatHealth();
app.MapChatMetrics();

app.Run();
