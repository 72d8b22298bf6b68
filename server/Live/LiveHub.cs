using ChatApp.Contracts;
using Microsoft.AspNetCore.SignalR;

namespace ChatApp.Server.Live;

/// <summary>
/// The chat hub's clients and groups, as the fan-out needs them. Registered by the Hubs feature from its
/// IHubContext, so Live sends through the hub without importing the hub class that calls into Live.
/// </summary>
public sealed class LiveHub(IHubClients<IChatClient> clients, IGroupManager groups)
{
    public IHubClients<IChatClient> Clients { get; } = clients;

    public IGroupManager Groups { get; } = groups;
}
