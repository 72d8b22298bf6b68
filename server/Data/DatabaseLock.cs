namespace ChatApp.Server.Data;

/// <summary>
/// One server process per SQLite database: an exclusive lock on <c>&lt;database&gt;.lock</c>, held for the
/// life of the process. Two processes each running a single writer over one file would both assign the
/// same seqs from their own memory, and both would ack.
/// </summary>
/// <remarks>
/// .NET takes an advisory flock (exclusive for <see cref="FileShare.None"/>) on Unix and a share-mode lock on
/// Windows, and the operating system releases it when the process dies, so a crash leaves no stale lock.
/// The holder's PID goes in a separate <c>.owner</c> file because the locked file cannot be opened, even to read.
/// </remarks>
public sealed class DatabaseLock : IDisposable
{
    private FileStream? _lock;

    public string? LockPath { get; private set; }

    /// <summary>Takes the lock for <paramref name="databasePath"/>, or throws naming the process that holds it.</summary>
    public async Task AcquireAsync(string databasePath, CancellationToken cancellationToken)
    {
        if (_lock is not null)
        {
            return;
        }

        LockPath = databasePath + ".lock";
        var ownerPath = LockPath + ".owner";
        try
        {
            _lock = new FileStream(LockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException ex)
        {
            var owner = File.Exists(ownerPath) ? (await File.ReadAllTextAsync(ownerPath, cancellationToken)).Trim() : "unknown";
            throw new InvalidOperationException(
                $"The database {databasePath} is in use by another ChatApp server (process {owner}), which holds the lock {LockPath}. " +
                "One server process serves a SQLite database; to run several nodes, use cluster mode (a shared PostgreSQL database) instead.", ex);
        }

        await File.WriteAllTextAsync(ownerPath, Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture), cancellationToken);
    }

    public void Dispose()
    {
        _lock?.Dispose();
        _lock = null;
    }
}
