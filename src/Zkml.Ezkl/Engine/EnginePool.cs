using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Zkml.Ezkl.Engine;

/// <summary>
/// Engine instances, each with its own memory, handed to one call at a time. Instances are created on demand up
/// to the limit and reused; one that trapped is disposed and a fresh one (milliseconds from the compiled module)
/// takes its place on the next call.
/// </summary>
internal sealed class EnginePool : IDisposable
{
    private readonly EngineModule _module;
    private readonly ILogger _logger;
    private readonly bool _engineLogging;
    private readonly long? _maxMemoryBytes;
    private readonly SemaphoreSlim _slots;
    private readonly ConcurrentStack<EngineInstance> _idle = new();
    private int _nextId;
    private int _created;
    private int _discarded;
    private bool _disposed;

    public EnginePool(EngineModule module, int maxInstances, long? maxMemoryBytes, ILogger logger, bool engineLogging)
    {
        _maxMemoryBytes = maxMemoryBytes;
        _module = module;
        _logger = logger;
        _engineLogging = engineLogging;
        MaxInstances = maxInstances;
        _slots = new SemaphoreSlim(maxInstances, maxInstances);
    }

    public EngineModule Module => _module;

    public int MaxInstances { get; }

    /// <summary>Instances created so far (including replacements).</summary>
    public int CreatedCount => Volatile.Read(ref _created);

    /// <summary>Instances discarded after a trap.</summary>
    public int DiscardedCount => Volatile.Read(ref _discarded);

    public async ValueTask<EngineInstance> RentAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        if (_idle.TryPop(out var instance))
        {
            return instance;
        }

        try
        {
            return CreateInstance();
        }
        catch
        {
            _slots.Release();
            throw;
        }
    }

    public EngineInstance CreateInstance()
    {
        var stopwatch = Stopwatch.StartNew();
        var id = Interlocked.Increment(ref _nextId);
        try
        {
            var instance = new EngineInstance(_module, id, _maxMemoryBytes, _logger, _engineLogging);
            Interlocked.Increment(ref _created);
            EngineLog.InstanceCreated(_logger, id, stopwatch.ElapsedMilliseconds);
            return instance;
        }
        catch (Wasmtime.WasmtimeException ex)
        {
            throw new EzklEngineLoadException("the engine could not be instantiated: " + ex.Message, ex);
        }
    }

    public void Return(EngineInstance instance)
    {
        if (instance.IsBroken || _disposed)
        {
            instance.Dispose();
            if (!_disposed)
            {
                Interlocked.Increment(ref _discarded);
            }
        }
        else
        {
            _idle.Push(instance);
        }

        _slots.Release();
    }

    public void Dispose()
    {
        _disposed = true;

        // Wait (boundedly) for calls in flight: their instances are disposed as they come back.
        for (var i = 0; i < MaxInstances; i++)
        {
            if (!_slots.Wait(TimeSpan.FromMinutes(1)))
            {
                break;
            }
        }

        while (_idle.TryPop(out var instance))
        {
            instance.Dispose();
        }
    }
}
