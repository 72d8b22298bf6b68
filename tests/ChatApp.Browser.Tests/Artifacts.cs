namespace ChatApp.Browser.Tests;

/// <summary>Where test artefacts go: artifacts/screenshots/ under the repository root (git-ignored), for CI to keep.</summary>
public static class Artifacts
{
    public static string ScreenshotPath(string fileName)
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "ChatApp.sln")))
        {
            directory = directory.Parent;
        }

        var root = directory?.FullName ?? AppContext.BaseDirectory;
        var screenshots = Path.Combine(root, "artifacts", "screenshots");
        Directory.CreateDirectory(screenshots);
        return Path.Combine(screenshots, fileName);
    }
}
