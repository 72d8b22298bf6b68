using System.Collections.Concurrent;

namespace ChatApp.Server.Hosting;

/// <summary>
/// Hands out one logger per category, as Microsoft's own LoggerFactory does. Serilog's factory makes a new
/// logger (with its own caches, about 500 bytes) on every CreateLogger call, and SignalR, the WebSocket
/// transport and the JWT handler ask for one per connection or request, so every open hub connection kept
/// three of them. Loggers are thread-safe and hold nothing of the caller, so sharing them changes no output.
/// </summary>
internal sealed class OneLoggerPerCategory(ILoggerFactory inner) : ILoggerFactory
{
    private readonly ConcurrentDictionary<string, ILogger> _loggers = new(StringComparer.Ordinal);

    public ILogger CreateLogger(string categoryName) => _loggers.GetOrAdd(categoryName, inner.CreateLogger);

    public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);

    public void Dispose() => inner.Dispose();

    /// <summary>Wraps the ILoggerFactory registered last (Serilog's) in this cache.</summary>
    public static void Wrap(IServiceCollection services)
    {
        var registered = services.Last(d => d.ServiceType == typeof(ILoggerFactory) && !d.IsKeyedService);
        services.Remove(registered);
        services.AddSingleton<ILoggerFactory>(provider => new OneLoggerPerCategory(
            registered.ImplementationInstance as ILoggerFactory
            ?? registered.ImplementationFactory?.Invoke(provider) as ILoggerFactory
            ?? (ILoggerFactory)ActivatorUtilities.CreateInstance(provider, registered.ImplementationType!)));
    }
}
