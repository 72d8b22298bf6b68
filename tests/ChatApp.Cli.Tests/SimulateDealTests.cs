using ChatApp.Cli.Simulate;

namespace ChatApp.Cli.Tests;

/// <summary><c>simulate --deal</c>: which server each bot's connection goes to, and so whether a room is written from one node or from all.</summary>
public sealed class SimulateDealTests
{
    private static readonly Uri[] ThreeNodes = [new("http://127.0.0.1:5401"), new("http://127.0.0.1:5402"), new("http://127.0.0.1:5403")];

    private static Dictionary<int, HashSet<int>> ServersPerRoom(SimulationOptions options) =>
        Enumerable.Range(0, options.Users)
            .GroupBy(bot => options.RoomsOf(bot)[0])
            .ToDictionary(room => room.Key, room => room.Select(options.HomeServerOf).ToHashSet());

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void DealingByRoomPutsEveryMemberOfARoomOnOneServerAndUsesEveryServer(int servers)
    {
        var options = new SimulationOptions { Servers = ThreeNodes[..servers], Users = 200, Rooms = 10, Deal = SimulationDeal.ByRoom };

        var perRoom = ServersPerRoom(options);

        Assert.Equal(10, perRoom.Count);
        Assert.All(perRoom.Values, s => Assert.Single(s));
        Assert.Equal(servers, perRoom.Values.SelectMany(s => s).Distinct().Count());
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void SpreadingPutsTheMembersOfEveryRoomOnEveryServerEvenly(int servers)
    {
        var options = new SimulationOptions { Servers = ThreeNodes[..servers], Users = 200, Rooms = 10, Deal = SimulationDeal.Spread };

        Assert.All(ServersPerRoom(options).Values, s => Assert.Equal(servers, s.Count));
        var bots = Enumerable.Range(0, options.Users).GroupBy(options.HomeServerOf).Select(g => g.Count()).ToList();
        Assert.True(bots.Max() - bots.Min() <= options.Rooms, $"bots per server: {string.Join(", ", bots)}");
    }

    [Fact]
    public void RoundRobinKeepsTheOldDealingOfBotIToServerIModN()
    {
        var options = new SimulationOptions { Servers = ThreeNodes, Users = 30, Rooms = 10 };

        Assert.All(Enumerable.Range(0, options.Users), bot => Assert.Equal(bot % 3, options.HomeServerOf(bot)));
    }
}
