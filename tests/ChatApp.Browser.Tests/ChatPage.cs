using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ChatApp.Browser.Tests;

/// <summary>One person in their own browser context (own storage, own connection), driving the page as they would.</summary>
public sealed class ChatPage : IAsyncDisposable
{
    public const string Password = "Secret-123";
    private const float TimeoutMs = 20_000;

    private ChatPage(IBrowserContext context, IPage page, string userName)
    {
        Context = context;
        Page = page;
        UserName = userName;
    }

    public IBrowserContext Context { get; }

    public IPage Page { get; }

    public string UserName { get; }

    /// <summary>While true, the page's WebSockets to the hub are refused, as if this person's network were down.</summary>
    public bool HubBlocked { get; set; }

    public ILocator Messages => Page.GetByTestId("message");

    public ILocator ConfirmedMessages => Page.Locator("[data-testid=message]:not([data-pending])");

    public ILocator Banner => Page.GetByTestId("banner-reconnecting");

    /// <summary>
    /// Errors and warnings the page's scripts wrote to its console, and scripts that threw, since it opened. A refused
    /// request shows there too (the first token refresh of a login page is a 401); those are the server's answers,
    /// checked where they matter, and are left out.
    /// </summary>
    public IReadOnlyList<string> ConsoleProblems
    {
        get
        {
            lock (_consoleProblems)
            {
                return [.. _consoleProblems];
            }
        }
    }

    private readonly List<string> _consoleProblems = [];

    public static async Task<ChatPage> OpenAsync(IBrowser browser, Uri server, string userName, ViewportSize? viewport = null, bool touch = false)
    {
        var context = await browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = server.ToString(),
            ViewportSize = viewport ?? new ViewportSize { Width = 1280, Height = 800 },
            HasTouch = touch,
        });
        context.SetDefaultTimeout(TimeoutMs);
        SetDefaultExpectTimeout(TimeoutMs);
        var chat = new ChatPage(context, await context.NewPageAsync(), userName);
        chat.Page.Console += (_, message) =>
        {
            if (message.Type is "error" or "warning" && !message.Text.StartsWith("Failed to load resource", StringComparison.Ordinal))
            {
                chat.AddConsoleProblem($"{message.Type}: {message.Text}");
            }
        };
        chat.Page.PageError += (_, error) => chat.AddConsoleProblem($"uncaught: {error}");
        // Every hub WebSocket goes through this route, so a test can cut one person off while the server stays up.
        await context.RouteWebSocketAsync(url => url.Contains("/hubs/chat", StringComparison.Ordinal), ws =>
        {
            if (chat.HubBlocked)
            {
                _ = ws.CloseAsync();
            }
            else
            {
                ws.ConnectToServer();
            }
        });
        await chat.Page.GotoAsync("/");
        return chat;
    }

    public async Task RegisterAsync()
    {
        await Page.GetByTestId("login-user").FillAsync(UserName);
        await Page.GetByTestId("login-password").FillAsync(Password);
        await Page.GetByTestId("register-submit").ClickAsync();
        await WaitConnectedAsync();
    }

    public async Task WaitConnectedAsync()
    {
        await Expect(Page.GetByTestId("connection-status")).ToHaveAttributeAsync("data-state", "connected");
        await Expect(Banner).ToBeHiddenAsync();
    }

    public async Task OpenRoomAsync(string room)
    {
        await Page.Locator($"[data-testid=room-item][data-room='{room}'] button").ClickAsync();
        await Expect(Page.Locator($"[data-testid=room-item][data-room='{room}']")).ToHaveClassAsync("active");
    }

    /// <summary>Types and presses Enter; returns once the server acknowledged it (the message is no longer pending).</summary>
    public async Task SendAsync(string text)
    {
        await TypeAndEnterAsync(text);
        await Expect(ConfirmedMessages.Filter(new() { HasText = text })).ToHaveCountAsync(1);
    }

    public async Task TypeAndEnterAsync(string text)
    {
        var composer = Page.GetByTestId("composer");
        await composer.FillAsync(text);
        await composer.PressAsync("Enter");
        await Expect(composer).ToHaveValueAsync("");
    }

    public async Task<IReadOnlyList<string>> MessageTextsAsync() =>
        await Page.Locator("[data-testid=message] [data-testid=message-text]").AllTextContentsAsync();

    public ILocator Message(string text) => ConfirmedMessages.Filter(new() { Has = Page.GetByTestId("message-text").GetByText(text, new() { Exact = true }) });

    private void AddConsoleProblem(string problem)
    {
        lock (_consoleProblems)
        {
            _consoleProblems.Add(problem);
        }
    }

    public async ValueTask DisposeAsync() => await Context.CloseAsync();
}
