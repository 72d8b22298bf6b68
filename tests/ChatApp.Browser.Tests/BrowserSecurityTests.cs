using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ChatApp.Browser.Tests;

/// <summary>The browser app's hardening: security headers in force, and no credential a script on the page could read.</summary>
public sealed class BrowserSecurityTests(BrowserFixture browser)
{
    /// <summary>A real 40×30 PNG.</summary>
    private static readonly byte[] Png = Convert.FromBase64String(
        "iVBORw0KGgoAAAANSUhEUgAAACgAAAAeCAIAAADRv8uKAAAAK0lEQVR4nO3NMQ0AAAgDsEmafxVIQgYcTfo3056IWCwWi8VisVgsFov/xgtTcpFM0LAPSQAAAABJRU5ErkJggg==");

    [Fact]
    public async Task SecurityHeadersAreOnPagesAndApiAnswersAndAnInjectedInlineScriptIsBlocked()
    {
        await using var host = new ChatTestHost(kestrel: true);
        await using var alice = await ChatPage.OpenAsync(browser.Browser, host.BaseAddress, "alice");

        var page = await alice.Page.GotoAsync("/") ?? throw new InvalidOperationException("no response for /");
        var api = await alice.Context.APIRequest.PostAsync("/api/auth/refresh"); // 401, with no cookie yet
        foreach (var headers in new[] { await page.AllHeadersAsync(), api.Headers })
        {
            var csp = headers["content-security-policy"];
            Assert.Contains("script-src 'self'", csp, StringComparison.Ordinal);
            Assert.Contains("object-src 'none'", csp, StringComparison.Ordinal);
            Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
            Assert.Contains("base-uri 'none'", csp, StringComparison.Ordinal);
            // The one allowance: style attributes, which the emoji picker sets on its own elements (SecurityHeaders.cs).
            Assert.DoesNotContain("unsafe", csp.Replace("style-src-attr 'unsafe-inline'", "", StringComparison.Ordinal), StringComparison.Ordinal);
            Assert.Equal("nosniff", headers["x-content-type-options"]);
            Assert.Equal("no-referrer", headers["referrer-policy"]);
        }

        Assert.Equal(401, api.Status);

        // What an XSS would try: insert an inline script. The policy stops it and says so.
        var outcome = await alice.Page.EvaluateAsync<string>("""
            () => new Promise(resolve => {
              window.injectedRan = false;
              document.addEventListener('securitypolicyviolation', e => resolve('blocked by ' + e.effectiveDirective + ', ran: ' + window.injectedRan), { once: true });
              const script = document.createElement('script');
              script.textContent = 'window.injectedRan = true;';
              document.body.append(script);
              setTimeout(() => resolve('no violation, ran: ' + window.injectedRan), 5000);
            })
            """);
        Assert.StartsWith("blocked by script-src", outcome, StringComparison.Ordinal);
        Assert.EndsWith("ran: false", outcome, StringComparison.Ordinal);

        // And an inline event handler, the other classic way in.
        var handler = await alice.Page.EvaluateAsync<bool>("""
            () => new Promise(resolve => {
              window.handlerRan = false;
              const img = document.createElement('img');
              img.setAttribute('onerror', 'window.handlerRan = true');
              img.src = 'data:,not-an-image';
              document.body.append(img);
              setTimeout(() => resolve(window.handlerRan), 1000);
            })
            """);
        Assert.False(handler);
    }

    [Fact]
    public async Task NoCredentialIsReadableByScriptsAndAReloadKeepsTheUserLoggedIn()
    {
        await using var host = new ChatTestHost(kestrel: true);
        await using var alice = await ChatPage.OpenAsync(browser.Browser, host.BaseAddress, "alice");
        await alice.RegisterAsync();
        await alice.SendAsync("hello before the reload");

        Assert.Equal("", await alice.Page.EvaluateAsync<string>("() => document.cookie"));
        var stored = await alice.Page.EvaluateAsync<string>("""
            () => JSON.stringify([localStorage, sessionStorage].flatMap(s => Object.keys(s).map(k => k + '=' + s.getItem(k))))
            """);
        Assert.DoesNotContain("eyJ", stored, StringComparison.Ordinal); // every JWT starts so
        Assert.DoesNotContain("token", stored, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("session", stored, StringComparison.OrdinalIgnoreCase);

        var cookie = Assert.Single(await alice.Context.CookiesAsync(), c => c.Name == "chatapp_refresh");
        Assert.True(cookie.HttpOnly);
        Assert.Equal(SameSiteAttribute.Strict, cookie.SameSite);
        Assert.Equal("/api/auth", cookie.Path);

        await alice.Page.ReloadAsync();
        await alice.WaitConnectedAsync();
        await Expect(alice.Page.GetByTestId("me")).ToHaveTextAsync("alice");
        await Expect(alice.Message("hello before the reload")).ToHaveCountAsync(1);

        // Logging out ends the session on the server and clears the cookie: a reload then asks to log in.
        await alice.Page.GetByTestId("logout").ClickAsync();
        await Expect(alice.Page.GetByTestId("login-submit")).ToBeVisibleAsync();
        Assert.DoesNotContain(await alice.Context.CookiesAsync(), c => c.Name == "chatapp_refresh");
        await alice.Page.ReloadAsync();
        await Expect(alice.Page.GetByTestId("login-submit")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task TwoTabsReloadingAtOnceBothStayLoggedIn()
    {
        await using var host = new ChatTestHost(kestrel: true);
        await using var alice = await ChatPage.OpenAsync(browser.Browser, host.BaseAddress, "alice");
        await alice.RegisterAsync();
        var second = await alice.Context.NewPageAsync(); // same browser profile: the same refresh cookie
        await second.GotoAsync("/");
        await Expect(second.GetByTestId("connection-status")).ToHaveAttributeAsync("data-state", "connected");

        // Both tabs spend the same cookie at the same moment.
        await Task.WhenAll(alice.Page.ReloadAsync(), second.ReloadAsync());

        await alice.WaitConnectedAsync();
        await Expect(second.GetByTestId("connection-status")).ToHaveAttributeAsync("data-state", "connected");
        await second.ReloadAsync(); // and the session is still alive afterwards
        await Expect(second.GetByTestId("me")).ToHaveTextAsync("alice");
        await Expect(second.GetByTestId("connection-status")).ToHaveAttributeAsync("data-state", "connected");
    }

    [Fact]
    public async Task LoggingOutInOneTabEndsTheSessionInTheOtherWithinSeconds()
    {
        await using var host = new ChatTestHost(kestrel: true);
        await using var alice = await ChatPage.OpenAsync(browser.Browser, host.BaseAddress, "alice");
        await alice.RegisterAsync();
        var other = await alice.Context.NewPageAsync();
        await other.GotoAsync("/");
        await Expect(other.GetByTestId("connection-status")).ToHaveAttributeAsync("data-state", "connected");

        await alice.Page.GetByTestId("logout").ClickAsync();

        // The server closes the other tab's connection; its access token is refused from then on, so it asks to log in.
        await Expect(other.GetByTestId("login-submit")).ToBeVisibleAsync(new() { Timeout = 10_000 });
        await Expect(other.GetByTestId("login-error")).ToContainTextAsync("session has ended");
    }

    [Fact]
    public async Task ThePageRefreshesItsShortLivedTokenAndKeepsChattingWhenTheServerClosesExpiredConnections()
    {
        await using var host = new ChatTestHost(
            new Dictionary<string, string>
            {
                ["Auth:AccessTokenMinutes"] = "0.05", // 3 seconds
                ["Auth:ClockSkewSeconds"] = "0",
            },
            kestrel: true);
        await using var alice = await ChatPage.OpenAsync(browser.Browser, host.BaseAddress, "alice");
        await using var bob = await ChatPage.OpenAsync(browser.Browser, host.BaseAddress, "bob");
        var sockets = 0;
        alice.Page.WebSocket += (_, _) => Interlocked.Increment(ref sockets);
        await alice.RegisterAsync();
        await bob.RegisterAsync();

        // Each round waits for the server to close alice's expired connection and the page to open a new one, refreshed.
        for (var round = 0; round < 3; round++)
        {
            var before = Volatile.Read(ref sockets);
            await alice.SendAsync($"round {round}");
            await Expect(bob.Message($"round {round}")).ToHaveCountAsync(1);
            using var tick = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
            while (Volatile.Read(ref sockets) == before && DateTime.UtcNow < deadline)
            {
                await tick.WaitForNextTickAsync(TestContext.Current.CancellationToken);
            }

            Assert.True(Volatile.Read(ref sockets) > before, $"round {round}: no new hub connection within 15 s");
            await alice.WaitConnectedAsync();
        }

        await bob.SendAsync("still here");
        await Expect(alice.Message("still here")).ToHaveCountAsync(1);
        Assert.Equal(["round 0", "round 1", "round 2", "still here"], await alice.MessageTextsAsync());
        await Expect(alice.Page.GetByTestId("login-submit")).ToBeHiddenAsync();
    }

    [Fact]
    public async Task FormattedTextAndInlineImagesRunWithinThePolicyAndAnImageFromElsewhereIsRefused()
    {
        await using var host = new ChatTestHost(kestrel: true);
        await using var alice = await ChatPage.OpenAsync(browser.Browser, host.BaseAddress, "alice");
        await alice.RegisterAsync();
        await alice.Page.EvaluateAsync("() => { window.violations = []; document.addEventListener('securitypolicyviolation', e => window.violations.push(e.effectiveDirective + ' ' + e.blockedURI)); }");

        // Markdown (a remote image in it stays text), and an uploaded image, which is shown from a data: URL.
        await alice.TypeAndEnterAsync("**bold** `code` [a link](https://example.com/) ![remote](http://127.0.0.2:9/x.png)");
        await Expect(alice.Page.Locator("[data-testid=message-text] strong")).ToHaveTextAsync("bold");
        await alice.Page.GetByTestId("attach-input").SetInputFilesAsync(new FilePayload { Name = "red.png", MimeType = "image/png", Buffer = Png });
        await Expect(alice.Page.GetByTestId("attachment-chip")).ToContainTextAsync("red.png");
        await alice.TypeAndEnterAsync("an image");
        await Expect(alice.Message("an image").GetByTestId("attachment-image")).ToHaveAttributeAsync("src", new System.Text.RegularExpressions.Regex("^data:image/png;base64,"));
        await alice.Page.WaitForFunctionAsync("() => [...document.querySelectorAll('[data-testid=attachment-image]')].every(i => i.complete && i.naturalWidth === 40)");
        Assert.Empty(await alice.Page.EvaluateAsync<string[]>("() => window.violations"));
        Assert.Empty(alice.ConsoleProblems);

        // What a slip in the sanitizer would let in: an image from another origin (a tracker, a leak of what the page shows).
        var outcome = await alice.Page.EvaluateAsync<string>("""
            () => new Promise(resolve => {
              document.addEventListener('securitypolicyviolation', e => resolve(e.effectiveDirective + ' ' + e.blockedURI), { once: true });
              const img = document.createElement('img');
              img.src = 'http://127.0.0.2:9/tracker.png';
              document.body.append(img);
              setTimeout(() => resolve('no violation'), 5000);
            })
            """);
        Assert.StartsWith("img-src http://127.0.0.2:9/", outcome, StringComparison.Ordinal);
    }
}
