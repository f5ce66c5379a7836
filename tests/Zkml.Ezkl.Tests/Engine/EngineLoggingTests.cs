using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Zkml.Ezkl.Tests.Engine;

/// <summary>The engine's own log output (init_logger) reaches the host's ILogger when enabled.</summary>
[Collection(EngineCollection.Name)]
public sealed class EngineLoggingTests(EngineFixture fixture)
{
    [Fact]
    public async Task Engine_logging_forwards_the_engines_messages_to_the_logger()
    {
        var sink = new CapturingLoggerProvider();
        using var factory = LoggerFactory.Create(b => b.AddProvider(sink).SetMinimumLevel(LogLevel.Trace));
        using var engine = new EzklEngine(new EzklEngineOptions { MaxInstances = 1, EnableEngineLogging = true }, factory);

        await engine.ProveAsync(fixture.Witness, fixture.ProvingKey, fixture.Circuit, fixture.Srs);

        // The engine logs while proving ("proof started...", "Using 3 columns for range-check.").
        Assert.Contains(sink.Messages, m => m.Category == typeof(EzklEngine).FullName && m.Text.StartsWith("engine 1: ", StringComparison.Ordinal)
                                            && m.Text.Contains("range-check", StringComparison.Ordinal));
        Assert.Contains(sink.Messages, m => m.Text.Contains("instance 1 created", StringComparison.Ordinal));
    }

    private sealed class CapturingLoggerProvider : ILoggerProvider
    {
        public ConcurrentQueue<(string Category, string Text)> Messages { get; } = new();

        public ILogger CreateLogger(string categoryName) => new CapturingLogger(categoryName, Messages);

        public void Dispose()
        {
        }
    }

    private sealed class CapturingLogger(string category, ConcurrentQueue<(string, string)> messages) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            messages.Enqueue((category, formatter(state, exception)));
    }
}
