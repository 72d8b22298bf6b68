using System.Runtime.CompilerServices;

namespace ChatApp.Tests;

/// <summary>The repository's own files, for tests that check documents and sources against the code.</summary>
internal static class RepositoryFiles
{
    /// <summary>The repository root, found from this source file's path (tests run where they were built).</summary>
    public static string Root { get; } = FindRoot();

    public static string PathOf(params string[] parts) => Path.Combine([Root, .. parts]);

    private static string FindRoot([CallerFilePath] string here = "")
    {
        for (var dir = Path.GetDirectoryName(here); dir is not null; dir = Path.GetDirectoryName(dir))
        {
            if (File.Exists(Path.Combine(dir, "ChatApp.sln")))
            {
                return dir;
            }
        }

        throw new InvalidOperationException($"No ChatApp.sln above {here}.");
    }
}
