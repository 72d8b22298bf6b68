using System.Globalization;

namespace ChatApp.Server.Hosting;

/// <summary>
/// How many arrays of a size the shared ArrayPool keeps per core, set before anything rents from it. SignalR writes
/// every keep-alive ping and every event through a pipe that rents a 4 KB array from <c>ArrayPool&lt;byte&gt;.Shared</c>,
/// and its heartbeat pings all the connections that are due in one scan, one after another: beyond the pool's default
/// of 32 arrays per core each ping rented a new array and left it as garbage. At 5,000 idle connections that was
/// 0.2-0.8 MB/s of garbage while nobody sent anything (the gen0 budget it grows is RSS), and a quarter of what a join
/// allocated (its events to the room's connections); with 256 per core, 16 KB/s (bench/README.md, part mem3).
/// </summary>
public static class BufferPool
{
    public const string Variable = "DOTNET_SYSTEM_BUFFERS_SHAREDARRAYPOOL_MAXARRAYSPERPARTITION";

    public const int ArraysPerCore = 256;

    /// <summary>Must run first thing in Main: the runtime reads the variable once, when the shared pool is first used.</summary>
    public static void Configure()
    {
        // An operator's own setting wins.
        if (Environment.GetEnvironmentVariable(Variable) is null)
        {
            Environment.SetEnvironmentVariable(Variable, ArraysPerCore.ToString(CultureInfo.InvariantCulture));
        }
    }
}
