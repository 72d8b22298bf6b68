using System.Reflection;
using System.Text.RegularExpressions;
using ChatApp.Contracts;

namespace ChatApp.Tests;

/// <summary>docs/protocol.md against the typed contract: every hub method and client event documented, nothing more.</summary>
public sealed partial class ProtocolDocumentTests
{
    [Fact]
    public void EveryHubMethodIsDocumentedAndEveryDocumentedMethodExists()
    {
        var documented = NamesInTable("### Methods", MethodCell());
        Assert.Equal(MemberNames(typeof(IChatHub)), documented);
    }

    [Fact]
    public void EveryClientEventIsDocumentedAndEveryDocumentedEventExists()
    {
        var documented = NamesInTable("### Events", EventCell());
        Assert.Equal(MemberNames(typeof(IChatClient)), documented);
    }

    [Fact]
    public void TheDocumentedArgumentsOfEachHubMethodAreItsParameters()
    {
        var documented = ArgumentsInTable("### Methods");
        foreach (var method in typeof(IChatHub).GetMethods())
        {
            // SignalR fills a CancellationToken parameter itself; it is not sent.
            var sent = method.GetParameters().Where(p => p.ParameterType != typeof(CancellationToken)).Select(p => p.Name!);
            Assert.Equal(string.Join(", ", sent), documented[method.Name]);
        }
    }

    private static SortedSet<string> MemberNames(Type contract) =>
        new(contract.GetMethods(BindingFlags.Public | BindingFlags.Instance).Select(m => m.Name), StringComparer.Ordinal);

    private static SortedSet<string> NamesInTable(string heading, Regex cell) =>
        new(FirstCells(heading).SelectMany(c => cell.Matches(c).Select(m => m.Groups["name"].Value)), StringComparer.Ordinal);

    private static Dictionary<string, string> ArgumentsInTable(string heading) =>
        FirstCells(heading)
            .Select(c => MethodCell().Match(c))
            .Where(m => m.Success)
            .ToDictionary(m => m.Groups["name"].Value, m => m.Groups["args"].Value.Replace("?", "", StringComparison.Ordinal));

    /// <summary>The first cell of each row of the table under <paramref name="heading"/>, header and divider skipped.</summary>
    private static IEnumerable<string> FirstCells(string heading)
    {
        var lines = File.ReadAllLines(RepositoryFiles.PathOf("docs", "protocol.md"));
        var start = Array.FindIndex(lines, l => l.StartsWith(heading, StringComparison.Ordinal));
        Assert.True(start >= 0, $"docs/protocol.md has no '{heading}' section.");
        return lines.Skip(start + 1)
            .SkipWhile(l => !l.StartsWith('|'))
            .TakeWhile(l => l.StartsWith('|'))
            .Skip(2)
            .Select(l => l.Split('|')[1]);
    }

    [GeneratedRegex(@"`(?<name>[A-Z]\w*)\((?<args>[^)]*)\)`")]
    private static partial Regex MethodCell();

    [GeneratedRegex(@"`(?<name>[A-Z]\w*)`")]
    private static partial Regex EventCell();
}
