using Microsoft.Playwright;

[assembly: AssemblyFixture(typeof(ChatApp.Browser.Tests.BrowserFixture))]
// One Chromium, one server at a time: the machines these run on have two cores.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace ChatApp.Browser.Tests;

/// <summary>
/// Debian's Chromium driven by Playwright, launched once for all tests. Playwright's own browser builds
/// cannot be downloaded on this project's machines, so the system one is used; if it is missing the tests fail.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = null!; // set in InitializeAsync, before any test runs

    public async ValueTask InitializeAsync()
    {
        var chromium = FindChromium() ?? throw new InvalidOperationException(
            "Chromium was not found (looked for 'chromium' on PATH and /usr/bin/chromium). " +
            "Install it with 'apt-get install -y chromium'; the browser tests cannot run without it.");
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = chromium,
            Headless = true,
            Timeout = 60_000,
            Args =
            [
                "--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run",
            ],
        });
    }

    /// <summary>What <c>command -v chromium</c> finds, else Debian's path.</summary>
    private static string? FindChromium()
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        foreach (var directory in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(directory, "chromium");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return File.Exists("/usr/bin/chromium") ? "/usr/bin/chromium" : null;
    }

    public async ValueTask DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }

        _playwright?.Dispose();
    }
}
