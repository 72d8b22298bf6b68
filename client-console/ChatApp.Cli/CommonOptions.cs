using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using ChatApp.Client;

namespace ChatApp.Cli;

/// <summary>Options several commands share, and the parsers they need.</summary>
public static class CommonOptions
{
    public const string DefaultServer = "http://localhost:5000";

    /// <param name="fromSession">True for commands that default to the server of the saved session.</param>
    public static Option<Uri> Server(bool fromSession = false)
    {
        var option = new Option<Uri>("--server", "-s")
        {
            // A default value is printed by the help itself; only the session's, which has none, is described.
            Description = fromSession ? "The server's URL (default: the one you logged in to)." : "The server's URL.",
            CustomParser = ParseServer,
        };
        if (!fromSession)
        {
            option.DefaultValueFactory = _ => new Uri(DefaultServer);
        }

        return option;
    }

    public static Option<string> User() => new("--user", "-u")
    {
        Description = "The user name.",
        Required = true,
    };

    public static Option<string> Room(string defaultRoom) => new("--room", "-r")
    {
        Description = "The room (@NAME: the direct conversation with NAME).",
        DefaultValueFactory = _ => defaultRoom,
    };

    /// <summary><c>--protocol json|messagepack</c>: the hub protocol (the server speaks both).</summary>
    public static Option<ChatProtocol> Protocol() => new("--protocol")
    {
        Description = "The hub protocol: json or messagepack.",
        DefaultValueFactory = _ => ChatProtocol.Json,
        CustomParser = result =>
        {
            var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
            if (TryParseProtocol(text, out var protocol))
            {
                return protocol;
            }

            result.AddError($"'{text}' is not a protocol: use json or messagepack.");
            return ChatProtocol.Json;
        },
    };

    public static bool TryParseProtocol(string text, out ChatProtocol protocol)
    {
        (var known, protocol) = text.ToLowerInvariant() switch
        {
            "json" => (true, ChatProtocol.Json),
            "messagepack" or "msgpack" => (true, ChatProtocol.MessagePack),
            _ => (false, ChatProtocol.Json),
        };
        return known;
    }

    /// <summary><c>--transport auto|websockets|sse|longpolling</c>; websockets skips negotiate.</summary>
    public static Option<string> Transport(string defaultTransport) => new("--transport")
    {
        Description = "auto (negotiate: WebSockets, then Server-Sent Events, then long polling), websockets (directly, no negotiate), sse or longpolling.",
        DefaultValueFactory = _ => defaultTransport,
        Validators =
        {
            result =>
            {
                var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : defaultTransport;
                if (!ChatConnectionOptions.TryParseTransport(text, out _))
                {
                    result.AddError($"'{text}' is not a transport: use auto, websockets, sse or longpolling.");
                }
            },
        },
    };

    /// <summary>The connection settings for a parsed <c>--transport</c> and <c>--protocol</c>.</summary>
    public static ChatConnectionOptions Connection(string transport, ChatProtocol protocol)
    {
        if (!ChatConnectionOptions.TryParseTransport(transport, out var options))
        {
            throw new CliException($"'{transport}' is not a transport: use auto, websockets, sse or longpolling.");
        }

        options = options with { Protocol = protocol };
        return options.Problem() is { } problem ? throw new CliException($"--transport {transport} --protocol {protocol.ToString().ToLowerInvariant()}: {problem}") : options;
    }

    private static Uri ParseServer(ArgumentResult result)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : DefaultServer;
        if (Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps))
        {
            return uri;
        }

        result.AddError($"'{text}' is not an http:// or https:// URL.");
        return new Uri(DefaultServer);
    }

    /// <summary>Parses "30s", "2m", "500ms", "1h" or a plain number of seconds.</summary>
    public static bool TryParseDuration(string text, out TimeSpan duration)
    {
        text = text.Trim();
        (string number, double scale) = text switch
        {
            _ when text.EndsWith("ms", StringComparison.OrdinalIgnoreCase) => (text[..^2], 0.001),
            _ when text.EndsWith('s') || text.EndsWith('S') => (text[..^1], 1),
            _ when text.EndsWith('m') || text.EndsWith('M') => (text[..^1], 60),
            _ when text.EndsWith('h') || text.EndsWith('H') => (text[..^1], 3600),
            _ => (text, 1),
        };
        if (double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value >= 0 && value < 1e7)
        {
            duration = TimeSpan.FromSeconds(value * scale);
            return true;
        }

        duration = TimeSpan.Zero;
        return false;
    }

    public static Option<TimeSpan> Duration(string name, string description, TimeSpan defaultValue) => new(name)
    {
        Description = description,
        DefaultValueFactory = _ => defaultValue,
        CustomParser = result =>
        {
            var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
            if (TryParseDuration(text, out var value))
            {
                return value;
            }

            result.AddError($"'{text}' is not a duration (e.g. 30s, 2m, 500ms).");
            return defaultValue;
        },
    };
}
