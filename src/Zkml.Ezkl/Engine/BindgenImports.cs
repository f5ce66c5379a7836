using System.Security.Cryptography;
using System.Text;
using Wasmtime;

namespace Zkml.Ezkl.Engine;

/// <summary>
/// The 38 functions the engine imports from <c>__wbindgen_placeholder__</c>, written against the engine's
/// JS glue (nodejs/ezkl.js of @ezkljs/engine 21.0.0). They give the engine what it asks a JS host for:
/// errors and strings, console output, Date.now, and crypto randomness through globalThis.crypto.
/// </summary>
internal static class BindgenImports
{
    public const string ModuleName = "__wbindgen_placeholder__";

    public static void Define(Linker linker, EngineInstance host)
    {
        const string M = ModuleName;
        var heap = host.Heap;

        // Errors, strings and console.
        linker.DefineFunction(M, "__wbindgen_error_new", (int ptr, int len) => heap.Add(new JsError(host.ReadString(ptr, len))));
        linker.DefineFunction(M, "__wbindgen_string_new", (int ptr, int len) => heap.Add(host.ReadString(ptr, len)));
        linker.DefineFunction(M, "__wbindgen_throw", (int ptr, int len) => throw new JsThrownException(new JsError(host.ReadString(ptr, len))));
        linker.DefineFunction(M, "__wbg_log_53ed96ea72ace5e9", (int ptr, int len) => host.OnConsole(ConsoleLevel.Log, host.ReadString(ptr, len)));
        linker.DefineFunction(M, "__wbg_warn_52c5b3e773c3a056", (int ptr, int len) => host.OnConsole(ConsoleLevel.Warn, host.ReadString(ptr, len)));
        linker.DefineFunction(M, "__wbg_error_93b671ae91baaee7", (int ptr, int len) => host.OnConsole(ConsoleLevel.Error, host.ReadString(ptr, len)));
        linker.DefineFunction(M, "__wbg_error_f851667af71bcfc6", (int ptr, int len) =>
        {
            // console.error(string) that takes ownership of the string: the panic hook's message.
            try
            {
                host.OnConsole(ConsoleLevel.Error, host.ReadString(ptr, len));
            }
            finally
            {
                host.Free(ptr, len);
            }
        });
        linker.DefineFunction(M, "__wbg_new_abda76e883ba8a5f", () => heap.Add(new JsError(string.Empty)));
        linker.DefineFunction(M, "__wbg_stack_658279fe44541cf6", (int retptr, int index) =>
        {
            var stack = heap.Get(index) is JsError error ? error.Stack : string.Empty;
            var (ptr, len) = host.PassBytes(Encoding.UTF8.GetBytes(stack));
            host.WriteInt32(retptr + 4, len);
            host.WriteInt32(retptr, ptr);
        });

        // Object references.
        linker.DefineFunction(M, "__wbindgen_object_drop_ref", (int index) => heap.Drop(index));
        linker.DefineFunction(M, "__wbindgen_object_clone_ref", (int index) => heap.Add(heap.Get(index)));
        linker.DefineFunction(M, "__wbindgen_is_object", (int index) => IsObject(heap.Get(index)) ? 1 : 0);
        linker.DefineFunction(M, "__wbindgen_is_string", (int index) => heap.Get(index) is string ? 1 : 0);
        linker.DefineFunction(M, "__wbindgen_is_function", (int index) => heap.Get(index) is JsFunction ? 1 : 0);
        linker.DefineFunction(M, "__wbindgen_is_undefined", (int index) => ReferenceEquals(heap.Get(index), JsSentinel.Undefined) ? 1 : 0);

        // The global object, as getrandom's js backend discovers it (self, window, globalThis, global, or
        // Function("return this")). There is no `process`, so getrandom takes the Web Crypto path.
        linker.DefineFunction(M, "__wbg_self_ce0dbfc45cf2f5be", () => host.Catch(() => throw new JsThrownException(new JsError("self is not defined"))));
        linker.DefineFunction(M, "__wbg_window_c6fb939a7f436783", () => host.Catch(() => throw new JsThrownException(new JsError("window is not defined"))));
        linker.DefineFunction(M, "__wbg_globalThis_d1e6af4856ba331b", () => host.Catch(() => heap.Add(host.Global)));
        linker.DefineFunction(M, "__wbg_global_207b558942527489", () => host.Catch(() => heap.Add(host.Global)));
        linker.DefineFunction(M, "__wbg_newnoargs_e258087cd0daa0ea", (int ptr, int len) =>
        {
            var body = host.ReadString(ptr, len);
            return heap.Add(new JsFunction("anonymous", (_, _) => body == "return this"
                ? host.Global
                : throw new JsThrownException(new JsError("code generation is not supported by this host"))));
        });
        linker.DefineFunction(M, "__wbg_call_27c0f87801dedf93", (int function, int self) =>
            host.Catch(() => heap.Add(Call(heap.Get(function), heap.Get(self)))));
        linker.DefineFunction(M, "__wbg_call_b3ca7c6051f9bec1", (int function, int self, int arg) =>
            host.Catch(() => heap.Add(Call(heap.Get(function), heap.Get(self), heap.Get(arg)))));
        linker.DefineFunction(M, "__wbg_crypto_d05b68a3572bb8ca", (int index) => heap.Add(Property(heap.Get(index), "crypto")));
        linker.DefineFunction(M, "__wbg_msCrypto_10fc94afee92bd76", (int index) => heap.Add(Property(heap.Get(index), "msCrypto")));
        linker.DefineFunction(M, "__wbg_process_b02b3570280d0366", (int index) => heap.Add(Property(heap.Get(index), "process")));
        linker.DefineFunction(M, "__wbg_versions_c1cb42213cedf0f5", (int index) => heap.Add(Property(heap.Get(index), "versions")));
        linker.DefineFunction(M, "__wbg_node_43b1089f407e4ec2", (int index) => heap.Add(Property(heap.Get(index), "node")));
        linker.DefineFunction(M, "__wbg_require_9a7e0f667ead4995", () =>
            host.Catch(() => throw new JsThrownException(new JsError("require is not available in this host"))));

        // Randomness: both of getrandom's paths, filled by the OS CSPRNG.
        linker.DefineFunction(M, "__wbg_getRandomValues_7e42b4fb8779dc6d", (int crypto, int array) =>
        {
            host.Catch(() =>
            {
                RandomNumberGenerator.Fill(AsUint8Array(heap.Get(array)).Span);
                return 0;
            });
        });
        linker.DefineFunction(M, "__wbg_randomFillSync_b70ccbdf4926a99d", (int crypto, int array) =>
        {
            host.Catch(() =>
            {
                RandomNumberGenerator.Fill(AsUint8Array(heap.Take(array)).Span);
                return 0;
            });
        });

        // Date.now().
        linker.DefineFunction(M, "__wbg_now_3014639a94423537", () => (double)DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());

        // Memory, ArrayBuffer and Uint8Array.
        linker.DefineFunction(M, "__wbindgen_memory", () => heap.Add(JsWasmMemory.Instance));
        linker.DefineFunction(M, "__wbg_buffer_12d079cc21e14bdb", (int index) => heap.Add(heap.Get(index) switch
        {
            JsWasmMemory => new JsArrayBuffer(host.Memory),
            JsUint8Array view => view.Buffer,
            _ => JsSentinel.Undefined,
        }));
        linker.DefineFunction(M, "__wbg_newwithbyteoffsetandlength_aa4a17c33a06e5cb", (int buffer, int offset, int length) =>
            heap.Add(new JsUint8Array(AsArrayBuffer(heap.Get(buffer)), (uint)offset, (uint)length)));
        linker.DefineFunction(M, "__wbg_new_63b92bc8671ed464", (int source) => heap.Add(heap.Get(source) switch
        {
            JsArrayBuffer buffer => new JsUint8Array(buffer, 0, buffer.Length),
            JsUint8Array view => new JsUint8Array(new JsArrayBuffer(view.Span.ToArray()), 0, view.Length),
            var other => throw new JsThrownException(new JsError("cannot make a Uint8Array from " + other)),
        }));
        linker.DefineFunction(M, "__wbg_newwithlength_e9b4878cebadb3d3", (int length) =>
            heap.Add(new JsUint8Array(new JsArrayBuffer(new byte[(uint)length]), 0, (uint)length)));
        linker.DefineFunction(M, "__wbg_subarray_a1f73cd4b5b42fe1", (int index, int begin, int end) =>
        {
            var view = AsUint8Array(heap.Get(index));
            var start = Math.Min((uint)begin, view.Length);
            var stop = Math.Clamp((uint)end, start, view.Length);
            return heap.Add(new JsUint8Array(view.Buffer, view.Offset + start, stop - start));
        });
        linker.DefineFunction(M, "__wbg_set_a47bac70306a19a7", (int target, int source, int offset) =>
        {
            var from = AsUint8Array(heap.Get(source));
            from.Span.CopyTo(AsUint8Array(heap.Get(target)).Span[checked((int)(uint)offset)..]);
        });
    }

    private static bool IsObject(object value) =>
        value is JsObject or JsError or JsUint8Array or JsArrayBuffer or JsWasmMemory;

    private static object Property(object target, string name) => target is JsObject obj ? obj[name] : JsSentinel.Undefined;

    private static object Call(object function, object self, params object[] args) =>
        function is JsFunction f ? f.Call(self, args) : throw new JsThrownException(new JsError("TypeError: not a function"));

    private static JsUint8Array AsUint8Array(object value) =>
        value as JsUint8Array ?? throw new JsThrownException(new JsError("TypeError: expected a Uint8Array"));

    private static JsArrayBuffer AsArrayBuffer(object value) =>
        value as JsArrayBuffer ?? throw new JsThrownException(new JsError("TypeError: expected an ArrayBuffer"));
}
