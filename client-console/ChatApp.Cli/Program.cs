namespace ChatApp.Cli;

// A named class rather than top-level statements: tests reference both this assembly and the server,
// and two global `Program` classes would collide there.
public static class Program
{
    // Ctrl+C cancels the running command: System.CommandLine hands every action a token tied to it.
    public static Task<int> Main(string[] args) => CliApp.RunAsync(args, CliEnvironment.FromProcess());
}
