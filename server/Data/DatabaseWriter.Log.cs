namespace ChatApp.Server.Data;

/// <summary>The writer's log lines.</summary>
public sealed partial class DatabaseWriter
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "A run of {Count} {Command} commands failed in the database; running them one at a time")]
    private static partial void LogRunFailed(ILogger logger, Exception exception, int count, string command);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Committed {Count} commands with {Effects} live effects in {ElapsedMs:F1} ms")]
    private static partial void LogBatchCommitted(ILogger logger, int count, int effects, double elapsedMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Command} failed in the database and was rolled back alone")]
    private static partial void LogCommandFailed(ILogger logger, Exception exception, string command);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Stored {Room}#{Seq} ({Kind}) from {User}")]
    private static partial void LogStored(ILogger logger, string room, long seq, string kind, string user);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Command} lost a lock race with another node's transaction; put off to the next batch (attempt {Attempt})")]
    private static partial void LogCommandPutOff(ILogger logger, string command, int attempt);

    [LoggerMessage(Level = LogLevel.Error, Message = "A batch of {Count} commands failed to commit; every sender was told to retry")]
    private static partial void LogBatchFailed(ILogger logger, Exception exception, int count);
}
