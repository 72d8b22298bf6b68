using ChatApp.Contracts;
using ChatApp.Server.Admin;
using ChatApp.Server.Attachments;
using ChatApp.Server.Auth;
using ChatApp.Server.Cluster;
using ChatApp.Server.Data;
using ChatApp.Server.Errors;
using ChatApp.Server.Hosting;
using ChatApp.Server.Hubs;
using ChatApp.Server.Limits;
using ChatApp.Server.Live;
using ChatApp.Server.Messages;
using ChatApp.Server.Presence;
using ChatApp.Server.Rooms;

// Before anything rents from the shared ArrayPool: how many arrays it keeps (SignalR's pings and events rent from it).
BufferPool.Configure();

var builder = WebApplication.CreateBuilder(args);

// Logging: Serilog from appsettings.json, console plus rolling file.
builder.AddChatLogging();

// The live fan-out (connections, groups, the one ordered send queue). Before Data: hosted services stop in
// reverse order, so the writer drains its queue at shutdown while the fan-out is still running.
builder.AddChatLive();

// Storage (Storage:Provider): SQLite by default (WAL, synchronous=FULL, one server per file) or PostgreSQL (shared by a
// cluster's nodes); EF Core migrations of that provider at start-up; token keys beside it.
builder.AddChatData();

// Accounts, sessions, JWT access tokens (REST header, or access_token on the hub's WebSocket request), admins.
builder.AddChatAuth();

// Real time: rooms, presence and messages, then the hub that calls them (its filters before the Limits filter below).
builder.AddChatRooms();
builder.AddChatPresence();
builder.AddChatMessaging();
// Attachments: uploads sniffed and allow-listed, stored in the database, downloadable by room members only.
builder.AddChatAttachments();
builder.AddChatHub();

// Metrics: OpenTelemetry (ASP.NET Core, Kestrel, SignalR, runtime, ChatApp's own) for Prometheus at /metrics.
builder.AddChatMetrics();

// Rate limits and quotas (the Limits section): REST through ASP.NET Core's rate limiter, the hub through a filter.
builder.AddChatLimits();

// Administration: disable accounts, archive and delete rooms, remove messages (admin role from Auth:Admins or granted).
builder.AddChatAdmin();

// Errors: ChatException becomes ProblemDetails on REST (and HubException on the hub), both with a code.
builder.AddChatErrors();

// Cluster mode, only when Redis is configured: ordered fan-out across nodes, the SignalR backplane, shared keys and presence.
builder.AddChatCluster();

var app = builder.Build();

app.UseRequestLogging();
app.UseQuickShutdown();
app.UseSecurityHeaders();
app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseHubOriginCheck();
app.UseWebSockets();
app.UseDefaultFiles();
app.UseStaticFiles();
app.UseAuthentication();
app.UseAuthorization();
app.UseChatLimits();

app.MapAuthApi();
app.MapMessagesApi();
app.MapAttachmentsApi();
app.MapAdminApi();
// A connection closes when its access token expires; the client reconnects with a refreshed one. Authorized here, for the
// connection, not with [Authorize] on the hub: that would authorize every hub call again, for a user that cannot change.
app.MapHub<ChatHub>(ChatPaths.Hub, hub => hub.CloseOnAuthenticationExpiration = true).RequireAuthorization();
app.MapChatHealth();
app.MapChatMetrics();

app.Run();
