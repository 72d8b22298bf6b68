using System.CommandLine;

namespace ChatApp.Cli.Simulate;

public static class SimulateCommand
{
    public static Command Create(CliEnvironment env)
    {
        var command = new Command("simulate", "Run many bot users against a server and check every delivery.");
        command.SetAction((_, _) => Task.FromResult(env is null ? 1 : 0));
        return command;
    }
}
