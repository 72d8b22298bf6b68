using System.Net.Http.Json;
using ChatApp.Client;
using ChatApp.Contracts;
using Microsoft.Extensions.DependencyInjection;

namespace ChatApp.Tests;

/// <summary>
/// <see cref="ChatTestHost"/> with what the server tests need on top: accounts, tokens, and hub
/// connections (routed in memory, or over the loopback port with Kestrel).
/// </summary>
public sealed class ChatServer(IDictionary<string, string>? settings = null, bool kestrel = false, Action<IServiceCollection>? services = null)
    : ChatTestHost(settings, kestrel, limits: true, services)
{
    private string LogFolder => Path.Combine(Directory, "logs");

    /// <summary>The bytes the server's log files hold now.</summary>
    public long LogLength() =>
        System.IO.Directory.Exists(LogFolder) ? System.IO.Directory.GetFiles(LogFolder).Sum(f => new FileInfo(f).Length) : 0;

    /// <summary>Everything the server's log files hold now (read while the server still writes them).</summary>
    public async Task<string> ReadLogAsync()
    {
        var text = new System.Text.StringBuilder();
        foreach (var file in System.IO.Directory.GetFiles(LogFolder))
        {
            await using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(stream);
            text.Append(await reader.ReadToEndAsync(TestContext.Current.CancellationToken));
        }

        return text.ToString();
    }

    /// <summary>Registers <paramref name="userName"/> and returns a bearer token for it.</summary>
    public async Task<string> TokenForAsync(string userName)
    {
        using var http = CreateHttpClient();
        var accounts = new ChatAccounts(http);
        var login = await accounts.LoginOrRegisterAsync(userName, Password, TestContext.Current.CancellationToken);
        return login.AccessToken;
    }

    /// <summary>Registers <paramref name="userName"/> if needed and logs in: access and refresh tokens.</summary>
    public async Task<LoginResponse> LoginAsync(string userName)
    {
        using var http = CreateHttpClient();
        return await new ChatAccounts(http).LoginOrRegisterAsync(userName, Password, TestContext.Current.CancellationToken);
    }

    /// <summary>A started hub connection through the in-memory TestServer (WebSockets unless <paramref name="options"/> say otherwise).</summary>
    public async Task<ChatConnection> ConnectAsync(string token, TimeSpan[]? reconnectDelays = null, ChatConnectionOptions? options = null)
    {
        var connection = CreateConnection(token, reconnectDelays, options);
        await connection.StartAsync(TestContext.Current.CancellationToken).WaitAsync(Timeout, TestContext.Current.CancellationToken);
        return connection;
    }

    /// <param name="options">
    /// Transport and protocol; by default the WebSocket directly, as the simulator connects. Their
    /// <see cref="ChatConnectionOptions.ConfigureHttp"/> runs after the in-memory routing, so it can wrap it.
    /// </param>
    public ChatConnection CreateConnection(string token, TimeSpan[]? reconnectDelays = null, ChatConnectionOptions? options = null) =>
        CreateConnection(_ => ValueTask.FromResult<string?>(token), reconnectDelays, options);

    /// <summary>A hub connection whose token comes from <paramref name="tokens"/> on every (re)connect.</summary>
    public ChatConnection CreateConnection(Func<CancellationToken, ValueTask<string?>> tokens, TimeSpan[]? reconnectDelays = null, ChatConnectionOptions? options = null)
    {
        options ??= ChatConnectionOptions.WebSocketsDirect;
        var configure = options.ConfigureHttp;
        return new(BaseAddress, tokens, options with
        {
            ReconnectDelays = reconnectDelays ?? options.ReconnectDelays,
            ConfigureHttp = http =>
            {
                if (!Kestrel)
                {
                    InMemoryTransport.Route(http, () => TestServer);
                }

                configure?.Invoke(http);
            },
        });
    }

    /// <summary>A user with a token and a started connection, joined to <paramref name="rooms"/>, recording every event.</summary>
    public async Task<ChatUserSession> UserAsync(string userName, params string[] rooms)
    {
        var token = await TokenForAsync(userName);
        var connection = await ConnectAsync(token);
        var events = new EventRecorder();
        connection.Subscribe(events);
        foreach (var room in rooms)
        {
            await connection.JoinRoomAsync(room, TestContext.Current.CancellationToken);
        }

        return new ChatUserSession(userName, token, connection, events);
    }

    public async Task<HttpResponseMessage> PostJsonAsync<T>(string path, T body, string? token = null)
    {
        using var http = token is null ? CreateHttpClient() : CreateHttpClient(token);
        return await http.PostAsJsonAsync(path, body, TestContext.Current.CancellationToken);
    }
}

public sealed record ChatUserSession(string Name, string Token, ChatConnection Connection, EventRecorder Events) : IAsyncDisposable
{
    public ValueTask DisposeAsync() => Connection.DisposeAsync();
}
