namespace ChatApp.Cli;

/// <summary>A failure to report to the user as one clear line, with the process exit code it implies.</summary>
public sealed class CliException(string message, int exitCode = ExitCodes.Failure, Exception? inner = null) : Exception(message, inner)
{
    public int ExitCode { get; } = exitCode;
}

public static class ExitCodes
{
    public const int Success = 0;

    /// <summary>The server refused, could not be reached, or the command failed otherwise.</summary>
    public const int Failure = 1;

    /// <summary>Not logged in, or the session expired.</summary>
    public const int NotLoggedIn = 3;

    /// <summary>The simulation found missing or duplicated deliveries.</summary>
    public const int DeliveryCheckFailed = 4;
}
