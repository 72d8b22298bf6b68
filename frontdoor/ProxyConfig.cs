using Yarp.ReverseProxy.Configuration;

namespace ChatApp.FrontDoor;

/// <summary>YARP's routes and cluster, built from <see cref="FrontDoorOptions"/> instead of a JSON file.</summary>
public static class ProxyConfig
{
    public const string AffinityCookie = ".ChatApp.Node";

    public static IReadOnlyList<RouteConfig> Routes() =>
    [
        // Everything, WebSocket upgrades included (YARP proxies them as they are), goes to the nodes.
        new RouteConfig
        {
            RouteId = "chatapp",
            ClusterId = "nodes",
            Match = new RouteMatch { Path = "{**catch-all}" },
            // The node checks a browser's Origin against the Host it was asked for: that must be the front door's.
            Transforms = [new Dictionary<string, string> { ["RequestHeaderOriginalHost"] = "true" }],
        },
    ];

    public static IReadOnlyList<ClusterConfig> Clusters(FrontDoorOptions options) =>
    [
        new ClusterConfig
        {
            ClusterId = "nodes",
            LoadBalancingPolicy = "PowerOfTwoChoices",
            // SignalR's negotiate and the connection that follows must reach the same node (the negotiate
            // token lives there): a cookie pins a client to its node. Clients that skip negotiation (the
            // web client and the CLI connect by WebSocket at once) need no affinity, and when their node
            // is gone the cookie is ignored and another node takes them.
            SessionAffinity = new SessionAffinityConfig
            {
                Enabled = true,
                Policy = "Cookie",
                FailurePolicy = "Redistribute",
                AffinityKeyName = AffinityCookie,
            },
            HealthCheck = new HealthCheckConfig
            {
                Active = new ActiveHealthCheckConfig
                {
                    Enabled = true,
                    Interval = TimeSpan.FromSeconds(options.HealthCheckSeconds),
                    Timeout = TimeSpan.FromSeconds(Math.Max(1, options.HealthCheckSeconds)),
                    Policy = "ConsecutiveFailures",
                    Path = "/healthz/ready",
                },
                Passive = new PassiveHealthCheckConfig { Enabled = true, Policy = "TransportFailureRate", ReactivationPeriod = TimeSpan.FromSeconds(5) },
            },
            Destinations = options.NodeAddresses()
                .Select((address, i) => (Key: $"node{i + 1}", Value: new DestinationConfig { Address = address.ToString() }))
                .ToDictionary(d => d.Key, d => d.Value),
        },
    ];
}
