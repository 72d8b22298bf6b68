using ChatApp.Cli.Accounts;
using ChatApp.Client;

namespace ChatApp.Cli.Chat;

/// <summary>Sends without holding the screen: a message shows when it comes back from the log, in seq order.</summary>
internal sealed class MessageSender(ChatConnection connection, ChatScreen screen, Session session, EntryFormatter formatter)
{
    private const int SendAttempts = 5;
    private readonly List<Task> _pending = [];

    public void Send(string room, string text)
    {
        var clientMessageId = Guid.NewGuid().ToString("N");
        _pending.RemoveAll(t => t.IsCompleted);
        _pending.Add(SendAsync());

        async Task SendAsync()
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
                await connection.SendWithRetryAsync(room, text, clientMessageId, SendAttempts, timeout.Token);
            }
            catch (Exception ex)
            {
                // The typed copy was erased from the screen: say what was lost, so it can be typed again.
                screen.Notify($"not sent to {formatter.Label(room)} (\"{EntryFormatter.Clean(text)}\"): {SessionConnection.Explain(ex, session.Server).Message}");
            }
        }
    }

    /// <summary>Messages typed just before quitting still go out.</summary>
    public Task WhenSentAsync(TimeSpan timeout, CancellationToken cancellationToken) =>
        Task.WhenAll(_pending).WaitAsync(timeout, cancellationToken);
}
