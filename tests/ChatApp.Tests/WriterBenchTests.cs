using System.Diagnostics;
using System.Text.Json;

namespace ChatApp.Tests;

/// <summary>A guard for bench/WriterBench: it drives the writer's own services, so a change there could break it unseen.</summary>
public sealed class WriterBenchTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task WriterBenchCommitsEveryMessageOfAShortRunInBothModes()
    {
        // Built next to the tests, in the same configuration (the test project builds it first).
        var configuration = Path.GetFileName(Path.GetDirectoryName(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)))!;
        var bench = RepositoryFiles.PathOf("bench", "WriterBench", "bin", configuration, "net10.0", "WriterBench.dll");
        var json = Path.Combine(Path.GetTempPath(), $"writerbench-{Guid.NewGuid():N}.json");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in (string[])[bench, "--messages", "300", "--callers", "8", "--rooms", "3", "--seconds", "60", "--json", json])
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!; // Start returns null only for a shell-executed document
        var output = process.StandardOutput.ReadToEndAsync(Ct);
        var errors = process.StandardError.ReadToEndAsync(Ct);
        try
        {
            await process.WaitForExitAsync(Ct).WaitAsync(TimeSpan.FromMinutes(3), Ct);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }

        try
        {
            Assert.True(process.ExitCode == 0, $"WriterBench exited with {process.ExitCode}:\n{await output}\n{await errors}");
            using var report = JsonDocument.Parse(await File.ReadAllTextAsync(json, Ct));
            var results = report.RootElement.GetProperty("results").EnumerateArray().ToList();
            Assert.Equal(["group-commit", "commit-per-message"], results.Select(r => r.GetProperty("mode").GetString()));
            Assert.All(results, r => Assert.Equal((300, 0), (r.GetProperty("committed").GetInt64(), r.GetProperty("failed").GetInt64())));
        }
        finally
        {
            File.Delete(json);
        }
    }
}
