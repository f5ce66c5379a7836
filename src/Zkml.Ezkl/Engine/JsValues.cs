namespace Zkml.Ezkl.Engine;

// The handful of JavaScript values the engine's wasm-bindgen imports create and inspect. The engine only ever
// sees them as indices into JsHeap; these classes give those indices a meaning on the .NET side.

/// <summary>undefined and null.</summary>
internal sealed class JsSentinel
{
    public static readonly JsSentinel Undefined = new("undefined");
    public static readonly JsSentinel Null = new("null");

    private readonly string _name;

    private JsSentinel(string name) => _name = name;

    public override string ToString() => _name;
}

/// <summary>A JS Error: its message is what the engine reports back through Result&lt;_, JsError&gt;.</summary>
internal sealed class JsError(string message)
{
    public string Message { get; } = message;

    // console_error_panic_hook appends this to the panic message; keep it short and recognizable.
    public string Stack => "Error: " + Message + "\n    at ezkl (wasm)";

    public override string ToString() => Message;
}

/// <summary>A plain JS object with properties (globalThis, crypto).</summary>
internal sealed class JsObject(string name)
{
    private readonly Dictionary<string, object> _properties = new(StringComparer.Ordinal);

    public string Name { get; } = name;

    public object this[string property]
    {
        get => _properties.TryGetValue(property, out var value) ? value : JsSentinel.Undefined;
        set => _properties[property] = value;
    }

    public override string ToString() => "[object " + Name + "]";
}

/// <summary>A JS function: receives <c>this</c> and the arguments.</summary>
internal sealed class JsFunction(string name, Func<object, object[], object> body)
{
    public string Name { get; } = name;

    public object Call(object self, params object[] args) => body(self, args);

    public override string ToString() => "function " + Name;
}

/// <summary>The module's WebAssembly.Memory object (wasm-bindgen asks for its buffer).</summary>
internal sealed class JsWasmMemory
{
    public static readonly JsWasmMemory Instance = new();
}

/// <summary>An ArrayBuffer: either a managed array or the wasm linear memory itself.</summary>
internal sealed class JsArrayBuffer
{
    private readonly byte[]? _managed;
    private readonly Wasmtime.Memory? _memory;

    public JsArrayBuffer(byte[] managed) => _managed = managed;

    public JsArrayBuffer(Wasmtime.Memory memory) => _memory = memory;

    public long Length => _managed?.LongLength ?? _memory!.GetLength();

    // The memory's base can move when it grows, so spans over it are made at the moment of use.
    public Span<byte> Slice(long offset, int length) =>
        _managed is not null ? _managed.AsSpan(checked((int)offset), length) : _memory!.GetSpan(offset, length);
}

/// <summary>A Uint8Array view over an ArrayBuffer.</summary>
internal sealed class JsUint8Array(JsArrayBuffer buffer, long offset, long length)
{
    public JsArrayBuffer Buffer { get; } = buffer;

    public long Offset { get; } = offset;

    public long Length { get; } = length;

    public Span<byte> Span => Buffer.Slice(Offset, checked((int)Length));
}

/// <summary>A JS exception thrown by a host function; wasm-bindgen's handleError stores it for the engine.</summary>
internal sealed class JsThrownException(object value) : Exception("JavaScript exception: " + value)
{
    public object Value { get; } = value;
}

/// <summary>
/// wasm-bindgen's object heap: the engine refers to JS values by index. Indices below 132 are reserved
/// (128 undefined slots, then undefined, null, true, false); freed slots form a linked free list.
/// </summary>
internal sealed class JsHeap
{
    private const int Reserved = 132;
    private readonly List<object> _slots = new(256);
    private int _nextFree;

    public JsHeap()
    {
        for (var i = 0; i < 128; i++)
        {
            _slots.Add(JsSentinel.Undefined);
        }

        _slots.Add(JsSentinel.Undefined);
        _slots.Add(JsSentinel.Null);
        _slots.Add(true);
        _slots.Add(false);
        _nextFree = _slots.Count;
    }

    public int Add(object value)
    {
        if (_nextFree == _slots.Count)
        {
            _slots.Add(_slots.Count + 1);
        }

        var index = _nextFree;
        _nextFree = (int)_slots[index];
        _slots[index] = value;
        return index;
    }

    public object Get(int index) => (uint)index < (uint)_slots.Count ? _slots[index] : JsSentinel.Undefined;

    public object Take(int index)
    {
        var value = Get(index);
        Drop(index);
        return value;
    }

    public void Drop(int index)
    {
        if (index < Reserved || index >= _slots.Count)
        {
            return;
        }

        _slots[index] = _nextFree;
        _nextFree = index;
    }

    /// <summary>Live objects above the reserved slots (a leak check for tests).</summary>
    public int LiveCount
    {
        get
        {
            var free = new HashSet<int>();
            for (var i = _nextFree; i < _slots.Count && free.Add(i);)
            {
                i = (int)_slots[i];
            }

            return _slots.Count - Reserved - free.Count;
        }
    }
}
