using System.Globalization;

namespace ChatApp.Tests;

/// <summary>The database writer's loop runs on a thread of its own, ahead of the server's other threads where the system allows.</summary>
public sealed class WriterThreadTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task TheWriterStoresFromItsOwnThreadAtTheNiceValueItIsGiven()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux() && Environment.IsPrivilegedProcess, "a thread's nice value below 0 needs Linux and CAP_SYS_NICE");
        // -3: a value no other test host in this process uses (the default is -5), so the thread found is this server's.
        await using var server = new ChatServer(new Dictionary<string, string> { ["Writer:ThreadNice"] = "-3" });
        await using var ann = await server.UserAsync("ann", "general");
        var stored = await ann.Connection.SendMessageAsync("general", "stored by the writer's thread", "t1", Ct);
        Assert.True(stored.Seq > 0);

        Assert.Contains(WriterThreads(), nice => nice == -3);
    }

    /// <summary>The nice value of every thread of this process named as the writer's.</summary>
    private static IEnumerable<int> WriterThreads() =>
        from task in Directory.EnumerateDirectories("/proc/self/task")
        let comm = TryRead(Path.Combine(task, "comm"))
        where comm?.Trim() == "chatapp-writer"
        let stat = TryRead(Path.Combine(task, "stat"))
        where stat is not null
        // Fields after the command's closing parenthesis: state is field 3, nice field 19.
        select int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[16], CultureInfo.InvariantCulture);

    private static string? TryRead(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (IOException)
        {
            return null; // the thread ended in between
        }
    }
}
