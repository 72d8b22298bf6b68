using System.Text;
using System.Text.Json;

namespace ChatApp.Tests;

/// <summary>
/// What <see cref="FuzzTests"/> throws at the server: hub method names real and not, the hub's signatures so half the
/// calls bind, raw frames from plausible to garbage, and random values whose strings are all poisoned.
/// </summary>
internal static class FuzzInputs
{
    internal static readonly string[] Methods =
    [
        "CreateRoom", "JoinRoom", "LeaveRoom", "ListRooms", "InviteToRoom", "RemoveFromRoom", "OpenDirect", "GetRoomMembers",
        "MarkRead", "SetTyping", "SendMessage", "EditMessage", "DeleteMessage", "React", "GetHistory", "StreamMessagesSince",
        "SearchMessages", "SendMessageWith", "SetRoomTopic", "ArchiveRoom", "DeleteRoom",
        "OnConnectedAsync", "Dispose", "sendmessage", "NoSuchMethod", "",
    ];

    /// <summary>
    /// The hub's signatures (s string, S string?, l long, L long?, i int?, b bool, x SendExtras), so half the random calls bind
    /// and reach the rules. A room argument may be a real room only where the caller (in no room) is refused anyway.
    /// </summary>
    internal static readonly Dictionary<string, (string Types, bool RealRoom)> Signatures = new()
    {
        ["CreateRoom"] = ("sb", false),
        ["JoinRoom"] = ("s", false),
        ["LeaveRoom"] = ("s", false),
        ["ListRooms"] = ("", false),
        ["InviteToRoom"] = ("ss", false),
        ["RemoveFromRoom"] = ("ss", false),
        ["OpenDirect"] = ("s", false),
        ["GetRoomMembers"] = ("s", true),
        ["MarkRead"] = ("sl", true),
        ["SetTyping"] = ("s", true),
        ["SendMessage"] = ("sss", true),
        ["EditMessage"] = ("sls", true),
        ["DeleteMessage"] = ("sl", true),
        ["React"] = ("sls", true),
        ["GetHistory"] = ("sLi", true),
        ["StreamMessagesSince"] = ("sl", true),
        ["SearchMessages"] = ("sSLi", true),
        ["SendMessageWith"] = ("sssx", true),
        ["SetRoomTopic"] = ("ss", true),
        ["ArchiveRoom"] = ("sb", true),
        ["DeleteRoom"] = ("s", true),
    };

    /// <summary>
    /// Each random string carries one of these, so no generated argument can be a valid name, text, id or
    /// reaction: whatever the fuzzer calls, nothing may be stored.
    /// </summary>
    internal static readonly string[] Poison = ["\0", "\u0001", "\u0007", "\u001b[2J", "\u007f", "\u0085"];

    /// <summary>One frame: mostly invocations with random targets and arguments, some of them garbage the protocol must reject.</summary>
    internal static byte[] RawFrame(Random random)
    {
        var kind = random.Next(100);
        var id = random.Next(3) == 0 ? null : random.Next(1_000_000).ToString(System.Globalization.CultureInfo.InvariantCulture);
        string text = kind switch
        {
            < 55 => JsonSerializer.Serialize(new Dictionary<string, object?>
            {
                ["type"] = random.Next(4) == 0 ? 4 : 1, // stream or plain invocation
                ["invocationId"] = id,
                ["target"] = Methods[random.Next(Methods.Length)],
                ["arguments"] = random.Next(2) == 0 ? RandomArguments(random) : ShapedArguments(random, Methods[random.Next(Methods.Length)]),
            }),
            < 65 => $"{{\"type\":{random.Next(-3, 12)},\"invocationId\":\"{id}\",\"target\":{JsonSerializer.Serialize(RandomValue(random, 0))}}}",
            < 72 => JsonSerializer.Serialize(RandomValue(random, 0)),
            < 78 => "{\"type\":1,\"target\":\"SendMessage\",\"arguments\":[\"general\",\"\\ud800 lone\",\"" + Guid.NewGuid().ToString("N") + "\"]}",
            < 84 => "{\"type\":1,\"target\":\"React\",\"arguments\":[\"general\",1,\"\\udfff\"]}",
            < 88 => "{\"type\":1,\"target\":\"SendMessage\",\"arguments\":[" + new string('[', 300) + new string(']', 300) + "]}",
            < 91 => "{\"type\":5,\"invocationId\":\"" + id + "\"}", // cancel something that is not running
            < 93 => new string('[', 20_000), // nesting far past the parser's depth limit
            < 95 => "{\"type\":1,\"target\":\"SendMessage\",\"arguments\":[\"general\",\"" + new string('x', 70_000) + "\",\"big\"]}", // over the frame limit
            < 97 => "\u00c3(\u00ff not json",
            _ => "{\"type\":1,\"target\":\"SendMessage\",\"arguments\":[\"gen",
        };
        var bytes = Encoding.UTF8.GetBytes(text + "\u001e");
        if (kind is >= 95 and < 97)
        {
            bytes = [0xC3, 0x28, 0xFF, 0xFE, .. bytes]; // bad UTF-8
        }

        return bytes;
    }

    internal static object?[] RandomArguments(Random random) => Enumerable.Range(0, random.Next(6)).Select(_ => RandomValue(random, 0)).ToArray();

    /// <summary>Arguments of the method's own types (so they bind), with poisoned strings and random numbers.</summary>
    internal static object?[] ShapedArguments(Random random, string method)
    {
        if (!Signatures.TryGetValue(method, out var signature))
        {
            return RandomArguments(random);
        }

        return signature.Types.Select((type, i) => type switch
        {
            's' when i == 0 && signature.RealRoom && random.Next(2) == 0 => "general",
            's' => RandomString(random),
            'S' => random.Next(3) == 0 ? null : RandomString(random),
            'l' => random.Next(2) == 0 ? random.NextInt64(-5, 50) : random.NextInt64(long.MinValue, long.MaxValue),
            'L' => random.Next(3) == 0 ? null : random.NextInt64(long.MinValue, long.MaxValue),
            'i' => random.Next(3) == 0 ? null : random.Next(int.MinValue, int.MaxValue),
            'x' => RandomExtras(random),
            _ => (object?)(random.Next(2) == 0),
        }).ToArray();
    }

    /// <summary>A reply reference and attachment ids: of the right shape, wrong types, or missing; numbers anywhere in range.</summary>
    internal static object? RandomExtras(Random random) => random.Next(5) switch
    {
        0 => null,
        1 => RandomValue(random, 0),
        _ => new Dictionary<string, object?>
        {
            ["replyTo"] = random.Next(3) == 0 ? null : random.Next(2) == 0 ? random.NextInt64(-5, 50) : random.NextInt64(long.MinValue, long.MaxValue),
            ["attachmentIds"] = random.Next(4) == 0
                ? RandomValue(random, 1)
                : Enumerable.Range(0, random.Next(25)).Select(_ => random.Next(3) == 0 ? Guid.NewGuid().ToString("N") : RandomString(random)).ToArray(),
        },
    };

    internal static object? RandomValue(Random random, int depth) => random.Next(depth > 2 ? 6 : 9) switch
    {
        0 => null,
        1 => random.NextInt64(long.MinValue, long.MaxValue),
        2 => random.Next(2) == 0,
        3 => random.NextDouble() * 1e12,
        4 => RandomString(random),
        5 => RandomString(random),
        6 => Enumerable.Range(0, random.Next(4)).Select(_ => RandomValue(random, depth + 1)).ToArray(),
        7 => Enumerable.Range(0, random.Next(4)).ToDictionary(i => RandomString(random) + i, _ => RandomValue(random, depth + 1)),
        _ => new string('9', random.Next(1, 400)),
    };

    internal static string RandomString(Random random)
    {
        var length = random.Next(0, random.Next(10) == 0 ? 5_000 : 40);
        var chars = new char[length];
        for (var i = 0; i < length; i++)
        {
            chars[i] = random.Next(4) == 0 ? (char)random.Next(0x20, 0x2FFF) : (char)random.Next(0x21, 0x7F);
        }

        var at = random.Next(length + 1);
        return string.Concat(new string(chars, 0, at), Poison[random.Next(Poison.Length)], new string(chars, at, length - at));
    }
}
