using ChatApp.Cli;

// Ctrl+C cancels the running command (System.CommandLine passes the token to every action).
return await CliApp.RunAsync(args, CliEnvironment.FromProcess());
