using System.Collections.Concurrent;
using System.Text;
using Microsoft.Extensions.Logging;
using Wasmtime;

namespace Zkml.Ezkl.Engine;

internal enum ConsoleLevel
{
    Log,
    Warn,
    Error,
}

/// <summary>
/// One instance of the engine: its own store, linear memory and JS heap. Not thread-safe: the pool hands it to
/// one call at a time. After a trap <see cref="IsBroken"/> is set and the pool discards it, because the engine's
/// shadow stack pointer, allocator and heap may be left mid-update.
/// </summary>
internal sealed class EngineInstance : IDisposable
{
    private const int InitialPages = 20;
    private const int MaximumPages = 65536;
    private const string PanicStackMarker = "\n\nStack:\n\n";

    private readonly EngineModule _module;
    private readonly Store _store;
    private readonly Instance _instance;
    private readonly ILogger _logger;
    private readonly Function _malloc;
    private readonly Function _free;
    private readonly Function _addToStackPointer;
    private readonly Function _exnStore;
    private readonly Dictionary<string, Function> _exports = new(StringComparer.Ordinal);
    private readonly BlockingCollection<Action> _work = new();
    private readonly Thread _thread;
    private string? _lastConsoleError;
    private CancellationToken _callCancellation;

    public EngineInstance(EngineModule module, int id, long? maxMemoryBytes, ILogger logger, bool engineLogging)
    {
        Id = id;
        _module = module;
        _logger = logger;
        Heap = new JsHeap();
        Global = new JsObject("globalThis");
        Global["crypto"] = new JsObject("crypto");

        _store = new Store(module.Engine);
        try
        {
            if (maxMemoryBytes is { } limit)
            {
                _store.SetLimits(memorySize: limit);
            }

            // Each epoch tick (EngineModule.EpochInterval) the running engine code asks whether its call was
            // cancelled: if so it traps, the call fails with OperationCanceledException and the instance is replaced.
            _store.SetEpochDeadline(1);
            _store.SetEpochDeadlineCallback(_ => _callCancellation.IsCancellationRequested
                ? throw new OperationCanceledException(_callCancellation)
                : 1UL);

            Memory = new Memory(_store, InitialPages, MaximumPages, is64Bit: false);
            using var linker = new Linker(module.Engine);
            linker.Define("env", "memory", Memory);
            BindgenImports.Define(linker, this);
            _instance = linker.Instantiate(_store, module.Module);

            _malloc = Export("__wbindgen_malloc");
            _free = Export("__wbindgen_free");
            _addToStackPointer = Export("__wbindgen_add_to_stack_pointer");
            _exnStore = Export("__wbindgen_exn_store");

            Export("__wbindgen_start").Invoke();
            Export("init_panic_hook").Invoke();
            if (engineLogging)
            {
                Export("init_logger").Invoke();
            }
        }
        catch
        {
            _store.Dispose();
            throw;
        }

        // Calls run on the instance's own thread, not the thread pool: a prove holds a thread for seconds, and
        // with one instance per core that would starve the pool of the threads async continuations need.
        _thread = new Thread(RunWorkItems, maxStackSize: 16 * 1024 * 1024) { IsBackground = true, Name = $"ezkl engine {id}" };
        _thread.Start();
    }

    /// <summary>Runs a call on this instance's thread; cancelling stops it inside the engine within an epoch tick.</summary>
    public Task<T> RunAsync<T>(Func<T> call, CancellationToken cancellationToken = default)
    {
        var completion = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        _work.Add(() =>
        {
            _callCancellation = cancellationToken;
            _module.CallStarted();
            try
            {
                completion.SetResult(call());
            }
            catch (Exception ex)
            {
                completion.SetException(ex);
            }
            finally
            {
                _module.CallEnded();
                _callCancellation = CancellationToken.None;
            }
        });
        return completion.Task;
    }

    private void RunWorkItems()
    {
        foreach (var item in _work.GetConsumingEnumerable())
        {
            item();
        }
    }

    public int Id { get; }

    public JsHeap Heap { get; }

    public JsObject Global { get; }

    public Memory Memory { get; }

    /// <summary>Set after a trap: the instance must not be used again.</summary>
    public bool IsBroken { get; private set; }

    /// <summary>Bytes of linear memory the instance has grown to (wasm memory never shrinks).</summary>
    public long MemoryBytes => Memory.GetLength();

    // ---- memory helpers used by the imports ----

    public string ReadString(int ptr, int len) => Encoding.UTF8.GetString(Memory.GetSpan((uint)ptr, len));

    public void WriteInt32(int address, int value) => Memory.WriteInt32((uint)address, value);

    public (int Ptr, int Len) PassBytes(ReadOnlySpan<byte> data)
    {
        var ptr = (int)_malloc.Invoke(data.Length, 1)!;
        data.CopyTo(Memory.GetSpan((uint)ptr, data.Length));
        return (ptr, data.Length);
    }

    public void Free(int ptr, int len) => _free.Invoke(ptr, len, 1);

    /// <summary>wasm-bindgen's handleError: a JS exception becomes the engine's pending exception.</summary>
    public int Catch(Func<int> body)
    {
        try
        {
            return body();
        }
        catch (JsThrownException thrown)
        {
            _exnStore.Invoke(Heap.Add(thrown.Value));
            return 0;
        }
    }

    public void OnConsole(ConsoleLevel level, string message)
    {
        switch (level)
        {
            case ConsoleLevel.Error:
                _lastConsoleError = message;
                EngineLog.EngineConsoleError(_logger, Id, message);
                break;
            case ConsoleLevel.Warn:
                EngineLog.EngineConsoleWarning(_logger, Id, message);
                break;
            default:
                EngineLog.EngineConsoleLog(_logger, Id, message);
                break;
        }
    }

    // ---- calling the exports (the conventions of nodejs/ezkl.js) ----

    /// <summary>An export returning Result&lt;Vec&lt;u8&gt;, JsError&gt; (also Uint8ClampedArray results).</summary>
    public byte[] CallBytes(string operation, string export, ReadOnlySpan<byte[]?> arrays, params ReadOnlySpan<ValueBox> trailing)
    {
        return Call(operation, export, arrays, trailing, retptr =>
        {
            var ptr = Memory.ReadInt32(retptr);
            var len = Memory.ReadInt32(retptr + 4);
            ThrowIfError(operation, Memory.ReadInt32(retptr + 12), Memory.ReadInt32(retptr + 8));
            var result = Memory.GetSpan((uint)ptr, len).ToArray();
            Free(ptr, len);
            return result;
        });
    }

    /// <summary>An export returning Result&lt;String, JsError&gt;.</summary>
    public string CallString(string operation, string export, ReadOnlySpan<byte[]?> arrays, params ReadOnlySpan<ValueBox> trailing)
    {
        return Encoding.UTF8.GetString(CallBytes(operation, export, arrays, trailing));
    }

    /// <summary>An export returning Result&lt;bool, JsError&gt;.</summary>
    public bool CallBool(string operation, string export, ReadOnlySpan<byte[]?> arrays, params ReadOnlySpan<ValueBox> trailing)
    {
        return Call(operation, export, arrays, trailing, retptr =>
        {
            ThrowIfError(operation, Memory.ReadInt32(retptr + 8), Memory.ReadInt32(retptr + 4));
            return Memory.ReadInt32(retptr) != 0;
        });
    }

    /// <summary>An export returning Result&lt;f64, JsError&gt;.</summary>
    public double CallDouble(string operation, string export, ReadOnlySpan<byte[]?> arrays, params ReadOnlySpan<ValueBox> trailing)
    {
        return Call(operation, export, arrays, trailing, retptr =>
        {
            ThrowIfError(operation, Memory.ReadInt32(retptr + 12), Memory.ReadInt32(retptr + 8));
            return Memory.ReadDouble(retptr);
        });
    }

    /// <summary>
    /// Calls an export the way nodejs/ezkl.js does: reserve a 16-byte return area on the shadow stack, copy each
    /// byte array into wasm memory (a null array is passed as None: pointer 0), pass the scalars after the arrays
    /// (or before them for the exports in <see cref="LeadingScalars"/>), then read the result and release the area.
    /// A trap marks the instance broken and surfaces as <see cref="EzklEngineTrapException"/>.
    /// </summary>
    private T Call<T>(string operation, string export, ReadOnlySpan<byte[]?> arrays, ReadOnlySpan<ValueBox> trailing, Func<int, T> readResult)
    {
        ObjectDisposedException.ThrowIf(IsBroken, this);
        _lastConsoleError = null;
        var function = Export(export);
        try
        {
            var retptr = (int)_addToStackPointer.Invoke(-16)!;
            try
            {
                var args = new ValueBox[1 + (2 * arrays.Length) + trailing.Length];
                var n = 0;
                args[n++] = retptr;
                var leading = LeadingScalars.TryGetValue(export, out var count) ? count : 0;
                for (var i = 0; i < leading; i++)
                {
                    args[n++] = trailing[i];
                }

                foreach (var array in arrays)
                {
                    if (array is null)
                    {
                        args[n++] = 0;
                        args[n++] = 0;
                    }
                    else
                    {
                        var (ptr, len) = PassBytes(array);
                        args[n++] = ptr;
                        args[n++] = len;
                    }
                }

                for (var i = leading; i < trailing.Length; i++)
                {
                    args[n++] = trailing[i];
                }

                function.Invoke(args);
                return readResult(retptr);
            }
            finally
            {
                if (!IsBroken)
                {
                    _addToStackPointer.Invoke(16);
                }
            }
        }
        catch (WasmtimeException trap) when (_callCancellation.IsCancellationRequested)
        {
            // Stopped at an epoch tick (or trapped while being cancelled): either way the instance is left mid-call.
            IsBroken = true;
            throw new OperationCanceledException($"{operation} was cancelled", trap, _callCancellation);
        }
        catch (WasmtimeException trap)
        {
            IsBroken = true;
            throw new EzklEngineTrapException(operation, DescribeTrap(trap), trap);
        }
    }

    // floatToFelt(retptr, input: f64, scale: i32, input_type: string) takes its scalars before the string.
    private static readonly Dictionary<string, int> LeadingScalars = new(StringComparer.Ordinal)
    {
        ["floatToFelt"] = 2,
    };

    private void ThrowIfError(string operation, int isError, int errorIndex)
    {
        if (isError != 0)
        {
            var error = Heap.Take(errorIndex);
            throw new EzklEngineException(operation, error switch
            {
                JsError e => e.Message,
                string s => s,
                var other => other.ToString() ?? "unknown error",
            });
        }
    }

    private string DescribeTrap(WasmtimeException trap)
    {
        // The panic hook printed "panicked at file:line:col:\nmessage\n\nStack:..." just before the trap.
        if (_lastConsoleError is { } panic)
        {
            var cut = panic.IndexOf(PanicStackMarker, StringComparison.Ordinal);
            return "engine panicked: " + (cut >= 0 ? panic[..cut] : panic).Trim();
        }

        var inner = trap.InnerException is JsThrownException thrown ? thrown.Value.ToString() : null;
        var text = inner ?? trap.Message;
        var newline = text.IndexOf('\n', StringComparison.Ordinal);
        return "engine trapped: " + (newline > 0 ? text[..newline] : text).Trim();
    }

    private Function Export(string name)
    {
        if (!_exports.TryGetValue(name, out var function))
        {
            function = _instance.GetFunction(name) ?? throw new EzklEngineLoadException($"the engine has no export '{name}': is it @ezkljs/engine 21.0.0?");
            _exports[name] = function;
        }

        return function;
    }

    public void Dispose()
    {
        IsBroken = true;
        _work.CompleteAdding();
        _thread.Join();
        _work.Dispose();
        _store.Dispose();
    }
}
