using ChatApp.FrontDoor;

// The front door of a ChatApp cluster: one address for clients, YARP spreading HTTP and WebSockets over the nodes.
var builder = WebApplication.CreateBuilder(args);

builder.Services.AddOptions<FrontDoorOptions>().BindConfiguration(FrontDoorOptions.Section).ValidateDataAnnotations()
    .Validate(o => o.NodeAddresses().Count > 0 && o.NodeAddresses().All(a => a.Scheme is "http" or "https"), "FrontDoor:Nodes needs at least one http(s) address.")
    .ValidateOnStart();
var nodes = builder.Configuration.GetSection(FrontDoorOptions.Section).Get<FrontDoorOptions>() ?? new FrontDoorOptions();
builder.Services.AddReverseProxy().LoadFromMemory(ProxyConfig.Routes(), ProxyConfig.Clusters(nodes));

var app = builder.Build();
app.MapReverseProxy();
app.Run();
