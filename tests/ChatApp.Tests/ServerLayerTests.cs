using System.Text.RegularExpressions;

namespace ChatApp.Tests;

/// <summary>
/// The server's folders import one another in one direction only, read from the sources themselves
/// (<c>using ChatApp.Server.X</c> lines and fully qualified names outside strings), so a back-reference fails here, not in review.
/// </summary>
public sealed partial class ServerLayerTests(ITestOutputHelper output)
{
    [Fact]
    public void NoServerFolderImportsAFolderThatImportsItBack()
    {
        var imports = FolderImports();
        foreach (var (folder, targets) in imports.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            output.WriteLine($"{folder} -> {string.Join(", ", targets.Order(StringComparer.Ordinal))}");
        }

        var cycle = FindCycle(imports);
        Assert.True(cycle is null, $"Server folders import each other in a cycle: {string.Join(" -> ", cycle ?? [])}");
    }

    [Fact]
    public void DataImportsNoFeatureFolder()
    {
        var imports = FolderImports().GetValueOrDefault("Data", []);
        // Storage may use the cross-cutting folders below it, never a feature or the live side above it.
        Assert.Empty(imports.Except(["Errors", "Hosting"]));
    }

    [Fact]
    public void TheLiveSideImportsNoFeatureFolder()
    {
        var imports = FolderImports().GetValueOrDefault("Live", []);
        // The fan-out sends what features hand it; it never calls up into them (the writer reaches it through ICommittedEffects).
        Assert.Empty(imports.Except(["Data", "Errors", "Hosting"]));
    }

    [Fact]
    public void NoFolderImportsClusterModeWhichOnlyProgramPlugsIn()
    {
        var importers = FolderImports().Where(p => p.Value.Contains("Cluster")).Select(p => p.Key);
        Assert.Empty(importers);
    }

    [Fact]
    public void EachFolderRegistersOnlyItsOwnServicesAndOptions()
    {
        // A server class registered from another folder's AddChatX would make that folder know it: each feature adds its own.
        var server = RepositoryFiles.PathOf("server");
        var types = typeof(ChatApp.Server.Hubs.ChatHub).Assembly.GetTypes()
            .Where(t => !t.IsInterface && t.Namespace?.StartsWith("ChatApp.Server.", StringComparison.Ordinal) == true)
            .GroupBy(t => t.Name)
            .ToDictionary(g => g.Key, g => g.First().Namespace!.Split('.')[2]);
        var strays = new List<string>();
        var seen = 0;
        foreach (var file in Directory.EnumerateFiles(server, "*.cs", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(server, file).Split(Path.DirectorySeparatorChar);
            if (relative.Length < 2 || relative[0] is "obj" or "bin")
            {
                continue;
            }

            foreach (Match match in Registration().Matches(File.ReadAllText(file)))
            {
                var registered = match.Groups["type"].Value;
                seen += types.ContainsKey(registered) ? 1 : 0;
                if (types.TryGetValue(registered, out var home) && home != relative[0])
                {
                    strays.Add($"{relative[0]} registers {home}/{registered}");
                }
            }
        }

        Assert.True(seen >= 20, $"Only {seen} registrations of server classes found: has the registration pattern changed?");
        Assert.Empty(strays);
    }

    [Fact]
    public void TheCycleFinderFindsACycle()
    {
        var imports = new Dictionary<string, HashSet<string>> { ["A"] = ["B"], ["B"] = ["C"], ["C"] = ["A"], ["D"] = ["A"] };
        Assert.Equal(["A", "B", "C", "A"], FindCycle(imports));
        Assert.Null(FindCycle(new Dictionary<string, HashSet<string>> { ["A"] = ["B"], ["B"] = ["C"], ["D"] = ["A", "C"] }));
    }

    /// <summary>For each top-level server folder, the other server folders its files name.</summary>
    private static Dictionary<string, HashSet<string>> FolderImports()
    {
        var server = RepositoryFiles.PathOf("server");
        var imports = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(server, "*.cs", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(server, file).Split(Path.DirectorySeparatorChar);
            if (relative.Length < 2 || relative[0] is "obj" or "bin")
            {
                continue; // Program.cs at the top composes everything; it is allowed to.
            }

            var folder = relative[0];
            var targets = imports.TryGetValue(folder, out var set) ? set : imports[folder] = new HashSet<string>(StringComparer.Ordinal);
            foreach (Match match in ServerNamespace().Matches(File.ReadAllText(file)))
            {
                if (match.Groups["folder"].Value is var target && target != folder)
                {
                    targets.Add(target);
                }
            }
        }

        return imports;
    }

    /// <summary>A path that starts and ends at the same folder, or null when the graph has none.</summary>
    private static List<string>? FindCycle(IReadOnlyDictionary<string, HashSet<string>> imports)
    {
        var done = new HashSet<string>(StringComparer.Ordinal);
        var path = new List<string>();
        foreach (var start in imports.Keys.Order(StringComparer.Ordinal))
        {
            if (Visit(start) is { } cycle)
            {
                return cycle;
            }
        }

        return null;

        List<string>? Visit(string folder)
        {
            if (path.IndexOf(folder) is var at and >= 0)
            {
                return [.. path[at..], folder];
            }

            if (!done.Add(folder))
            {
                return null;
            }

            path.Add(folder);
            foreach (var next in imports.GetValueOrDefault(folder, []).Order(StringComparer.Ordinal))
            {
                if (Visit(next) is { } cycle)
                {
                    return cycle;
                }
            }

            path.RemoveAt(path.Count - 1);
            return null;
        }
    }

    // The implementation (the last type argument) of AddSingleton<T>, AddSingleton<TService, TImpl>, AddHostedService<T>,
    // AddOptions<T> and the like; an interface registered by a factory names no class, and is skipped above.
    [GeneratedRegex(@"\.(?:Try)?Add(?:Singleton|Scoped|Transient|HostedService|Options)<(?:\w+(?:<[^>]*>)?,\s*)?(?<type>\w+)>")]
    private static partial Regex Registration();

    // Not inside a string: old migrations name the entities' former namespaces as text, which imports nothing.
    [GeneratedRegex(@"(?<!"")\bChatApp\.Server\.(?<folder>[A-Z]\w*)\b")]
    private static partial Regex ServerNamespace();
}
