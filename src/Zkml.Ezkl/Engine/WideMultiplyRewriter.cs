namespace Zkml.Ezkl.Engine;

/// <summary>What <see cref="WideMultiplyRewriter"/> did to a module.</summary>
/// <param name="Module">The rewritten module (the input itself when nothing was rewritten).</param>
/// <param name="Functions">Functions that changed.</param>
/// <param name="Products">Halves of 128-bit products now taken from <c>i64.mul_wide_u</c>.</param>
/// <param name="Sums">High words of 128-bit sums (an add and its carry) now taken from <c>i64.add128</c>.</param>
internal sealed record WideMultiplyRewrite(byte[] Module, int Functions, int Products, int Sums);

/// <summary>
/// Gives the engine's 64 x 64 -> 128-bit multiplications back to the CPU. wasm32 has no such instruction, so LLVM
/// built ezkl's field arithmetic (halo2's Montgomery multiplication over BN254) from four 32 x 32-bit products plus
/// shifts, adds and carry compares: about 25 instructions where x86-64 needs one <c>mul</c>. Most of a prove is spent
/// there. This pass finds, in each straight-line stretch of code, the values that equal the low or high half of a
/// product A * B, and makes them come from the wide-arithmetic instruction <c>i64.mul_wide_u</c> instead, which
/// Cranelift compiles to one multiply. Likewise the high word of a 128-bit sum (two adds and a carry compare) comes
/// from <c>i64.add128</c>, an add-with-carry. The old computation is left in place, and Cranelift's dead-code
/// elimination drops what no longer has a use.
/// <para>
/// A value is replaced only when it is built exactly in one of the two forms of a product's halves (see IsLow and
/// IsHigh: the same operations on the same halves of A and B, up to the order of commutative operands), so each
/// replacement is an identity; as a second, independent check, the value is evaluated against the product for
/// edge-case and pseudo-random factors. The pass never removes or moves an instruction: it adds a <c>drop</c> of the
/// old value and pushes the equal new one, and it saves the factors in fresh locals where they are first computed.
/// A module it cannot read is left unchanged.
/// </para>
/// </summary>
internal static class WideMultiplyRewriter
{
    /// <summary>Part of the compiled-module cache key: bump when the rewrite changes.</summary>
    public const string Version = "wide-mul-v2";

    private const byte TypeSectionId = 1;
    private const byte FunctionSectionId = 3;
    private const byte CodeSectionId = 10;
    private const byte I64 = 0x7E;

    public static WideMultiplyRewrite Rewrite(byte[] module)
    {
        var paramCounts = new List<int>();
        var functionTypes = new List<int>();
        var output = new List<byte>(module.Length + (module.Length / 8));
        output.AddRange(module.AsSpan(0, 8));
        int functions = 0, products = 0, sums = 0;
        var pos = 8;
        while (pos < module.Length)
        {
            var sectionStart = pos;
            var id = module[pos++];
            var size = (int)Leb128.ReadUnsigned(module, ref pos);
            var body = module.AsSpan(pos, size);
            pos += size;
            switch (id)
            {
                case TypeSectionId:
                    ReadParamCounts(body, paramCounts);
                    break;
                case FunctionSectionId:
                    var p = 0;
                    var count = Leb128.ReadUnsigned(body, ref p);
                    for (var i = 0UL; i < count; i++)
                    {
                        functionTypes.Add((int)Leb128.ReadUnsigned(body, ref p));
                    }

                    break;
            }

            if (id != CodeSectionId)
            {
                output.AddRange(module.AsSpan(sectionStart, pos - sectionStart));
                continue;
            }

            var code = RewriteCodeSection(body, functionTypes, paramCounts, ref functions, ref products, ref sums);
            output.Add(CodeSectionId);
            Leb128.WriteUnsigned(output, (ulong)code.Count);
            output.AddRange(code);
        }

        return functions == 0
            ? new WideMultiplyRewrite(module, 0, 0, 0)
            : new WideMultiplyRewrite(output.ToArray(), functions, products, sums);
    }

    private static void ReadParamCounts(ReadOnlySpan<byte> body, List<int> paramCounts)
    {
        var pos = 0;
        var count = Leb128.ReadUnsigned(body, ref pos);
        for (var i = 0UL; i < count; i++)
        {
            if (body[pos++] != 0x60)
            {
                throw new NotSupportedException("a type that is not a plain function type");
            }

            var parameters = (int)Leb128.ReadUnsigned(body, ref pos);
            for (var j = 0; j < parameters; j++)
            {
                WasmInstruction.SkipValueType(body, ref pos);
            }

            var results = Leb128.ReadUnsigned(body, ref pos);
            for (var j = 0UL; j < results; j++)
            {
                WasmInstruction.SkipValueType(body, ref pos);
            }

            paramCounts.Add(parameters);
        }
    }

    private static List<byte> RewriteCodeSection(
        ReadOnlySpan<byte> section, List<int> functionTypes, List<int> paramCounts, ref int functions, ref int products, ref int sums)
    {
        var output = new List<byte>(section.Length + (section.Length / 8));
        var pos = 0;
        var count = Leb128.ReadUnsigned(section, ref pos);
        Leb128.WriteUnsigned(output, count);
        var analyzer = new FunctionAnalyzer();
        for (var f = 0; f < (int)count; f++)
        {
            var size = (int)Leb128.ReadUnsigned(section, ref pos);
            var body = section.Slice(pos, size);
            pos += size;
            var rewritten = analyzer.Rewrite(body, paramCounts[functionTypes[f]]);
            if (rewritten is null)
            {
                Leb128.WriteUnsigned(output, (ulong)size);
                output.AddRange(body);
                continue;
            }

            functions++;
            products += analyzer.Products;
            sums += analyzer.Sums;
            Leb128.WriteUnsigned(output, (ulong)rewritten.Count);
            output.AddRange(rewritten);
        }

        return output;
    }

    /// <summary>A value in a straight-line stretch: an unknown (leaf), a constant or a pure operation.</summary>
    private sealed class Node
    {
        public required int Id;
        public required int Op; // the opcode; Leaf for unknowns
        public Node? A;
        public Node? B;
        public ulong Constant;
        public int ProducedAfter; // index of the instruction after which it is on top of the stack; -1 if none
        public int SaveLocal = -1;
        public WideHalf? Wide; // set when the value is taken from i64.mul_wide_u
        public WideSum? Sum; // set when the value is taken from i64.add128
        public ulong Value;
        public int Stamp;
    }

    private const int Leaf = -1;

    /// <summary>The value equals the high half of (XHigh:XLow) + (YHigh:YLow), 128-bit.</summary>
    private sealed record WideSum(Node XLow, Node XHigh, Node YLow, Node? YHigh);

    /// <summary>A factor of a product: a value, or a constant when Node is null.</summary>
    private readonly record struct Factor(Node? Node, ulong Constant);

    /// <summary>The value equals the low or high half of A * B (B a node, or the constant ConstantB when B is null).</summary>
    private sealed record WideHalf(Node A, Node? B, ulong ConstantB, bool High);

    /// <summary>Symbolic execution of one function body at a time.</summary>
    private sealed class FunctionAnalyzer
    {
        private const int MaxVisited = 48;
        private const int Trials = 16;
        private const int MaxLocals = 50_000; // Wasmtime's limit per function

        private readonly List<Node> _stack = [];
        private readonly Dictionary<(int Op, int A, int B, ulong Constant), Node> _values = [];
        private readonly Dictionary<uint, Node> _locals = [];
        private readonly List<(int After, int Order, byte[] Code)> _insertions = [];
        private readonly List<Node> _products = [];
        private readonly Stack<Node> _pending = new();
        private readonly List<Node> _bases = [];
        private readonly List<ulong> _constants = [];
        private int _nextId;
        private int _stamp;
        private int _instruction;
        private int _firstNewLocal;
        private int _newLocals;
        private int _scratchLocal;

        public int Products { get; private set; }

        public int Sums { get; private set; }

        /// <summary>The rewritten body, or null when nothing in it changed.</summary>
        public List<byte>? Rewrite(ReadOnlySpan<byte> body, int parameters)
        {
            Products = 0;
            Sums = 0;
            _insertions.Clear();
            _newLocals = 0;
            _scratchLocal = -1;
            var pos = 0;
            var groups = Leb128.ReadUnsigned(body, ref pos);
            var groupsStart = pos;
            var locals = (ulong)parameters;
            for (var i = 0UL; i < groups; i++)
            {
                locals += Leb128.ReadUnsigned(body, ref pos);
                WasmInstruction.SkipValueType(body, ref pos);
            }

            var codeStart = pos;
            _firstNewLocal = checked((int)locals);
            var ends = new List<int>();
            Reset();
            _instruction = 0;
            while (pos < body.Length)
            {
                var instruction = WasmInstruction.Read(body, pos);
                Step(instruction);
                ends.Add(instruction.End);
                pos = instruction.End;
                _instruction++;
            }

            if (_insertions.Count == 0 || _firstNewLocal + _newLocals > MaxLocals)
            {
                return null;
            }

            var output = new List<byte>(body.Length + (_insertions.Count * 12));
            Leb128.WriteUnsigned(output, groups + 1);
            output.AddRange(body[groupsStart..codeStart]);
            Leb128.WriteUnsigned(output, (ulong)_newLocals);
            output.Add(I64);
            _insertions.Sort((x, y) => x.After != y.After ? x.After.CompareTo(y.After) : x.Order.CompareTo(y.Order));
            var copied = codeStart;
            foreach (var (after, _, code) in _insertions)
            {
                var end = ends[after];
                output.AddRange(body[copied..end]);
                output.AddRange(code);
                copied = end;
            }

            output.AddRange(body[copied..]);
            return output;
        }

        private void Reset()
        {
            _stack.Clear();
            _values.Clear();
            _locals.Clear();
        }

        private Node NewLeaf(int producedAfter) =>
            new() { Id = _nextId++, Op = Leaf, ProducedAfter = producedAfter };

        private Node Pop()
        {
            if (_stack.Count == 0)
            {
                return NewLeaf(-1); // a value pushed before this stretch began
            }

            var node = _stack[^1];
            _stack.RemoveAt(_stack.Count - 1);
            return node;
        }

        private void Push(Node node) => _stack.Add(node);

        private void PushLeaf() => Push(NewLeaf(_instruction));

        private void Step(WasmInstruction instruction)
        {
            var op = instruction.Opcode;
            switch (op)
            {
                case 0x01: // nop
                    return;
                case 0x1A: // drop
                    Pop();
                    return;
                case 0x1B: // select
                    Pop();
                    Pop();
                    Pop();
                    PushLeaf();
                    return;
                case 0x20: // local.get
                {
                    var index = (uint)instruction.Immediate;
                    if (!_locals.TryGetValue(index, out var value))
                    {
                        value = NewLeaf(_instruction);
                        _locals[index] = value;
                    }
                    else if (value.ProducedAfter < 0)
                    {
                        value.ProducedAfter = _instruction; // it came from before the stretch; now it is on the stack
                    }

                    Push(value);
                    return;
                }

                case 0x21: // local.set
                    _locals[(uint)instruction.Immediate] = Pop();
                    return;
                case 0x22: // local.tee
                {
                    var value = Pop();
                    _locals[(uint)instruction.Immediate] = value;
                    Push(value);
                    return;
                }

                case 0x23: // global.get
                    PushLeaf();
                    return;
                case 0x24: // global.set
                    Pop();
                    return;
                case >= 0x28 and <= 0x35: // loads
                    Pop();
                    PushLeaf();
                    return;
                case >= 0x36 and <= 0x3E: // stores
                    Pop();
                    Pop();
                    return;
                case 0x41 or 0x42:
                    Push(Constant(op, instruction.Immediate));
                    return;
                case 0x43 or 0x44:
                    PushLeaf();
                    return;
                case >= 0x45 and <= 0xC4:
                    Numeric(op);
                    return;
                case WasmInstruction.MiscPrefix when instruction.SubOpcode <= 7: // saturating truncations
                    Pop();
                    PushLeaf();
                    return;
                default:
                    // Control flow, calls, memory and table instructions, atomics: the stretch ends here.
                    Reset();
                    return;
            }
        }

        private Node Constant(int op, ulong value)
        {
            var key = (op, -1, -1, value);
            if (!_values.TryGetValue(key, out var node))
            {
                node = new Node { Id = _nextId++, Op = op, Constant = value, ProducedAfter = _instruction };
                _values[key] = node;
            }

            return node;
        }

        private void Numeric(byte op)
        {
            if (IsUnary(op))
            {
                var a = Pop();
                Push(IsModelled(op) ? Operation(op, a, null) : NewLeaf(_instruction));
                return;
            }

            var b = Pop();
            var first = Pop();
            Push(IsModelled(op) ? Operation(op, first, b) : NewLeaf(_instruction));
        }

        private Node Operation(byte op, Node a, Node? b)
        {
            var key = (op, a.Id, b?.Id ?? -1, 0UL);
            if (_values.TryGetValue(key, out var node))
            {
                if (node.Wide is not null)
                {
                    // The same value computed again: take it from the wide product here too.
                    EmitReplacement(node);
                }
                else if (node.Sum is not null)
                {
                    EmitSum(node);
                }

                return node;
            }

            node = new Node
            {
                Id = _nextId++,
                Op = op,
                A = a,
                B = b,
                ProducedAfter = _instruction,
            };
            _values[key] = node;
            if (op == 0x7C && !TryMatch(node)) // both halves of a product are sums at the top, and so is a carry's sum
            {
                TryMatchCarry(node);
            }

            return node;
        }

        // ---- matching ----

        private bool TryMatch(Node node)
        {
            if (!CollectProducts(node) || _products.Count is < 3 or > 8)
            {
                return false;
            }

            CollectFactorCandidates();
            for (var i = 0; i < _bases.Count; i++)
            {
                for (var j = i; j < _bases.Count; j++)
                {
                    if (TryPair(node, _bases[i], _bases[j], 0))
                    {
                        return true;
                    }
                }

                foreach (var constant in _constants)
                {
                    if (TryPair(node, _bases[i], null, constant))
                    {
                        return true;
                    }
                }
            }

            return false;
        }

        // ---- carries: the high word of a 128-bit sum ----
        // s = x + y (mod 2^64) overflowed exactly when s < x (or s < y); so r1 + r2 + [s < x] is the high word of
        // (r1:x) + (r2:y), which i64.add128 computes with one add-with-carry. A sum is matched only in that exact
        // form: its addends (through nested adds, stopping at values already taken from a wide instruction) are
        // one such carry and one or two other values.

        private readonly List<Node> _terms = [];

        private void TryMatchCarry(Node node)
        {
            _terms.Clear();
            if (!FlattenSum(node, node, _terms) || _terms.Count is < 2 or > 3)
            {
                return;
            }

            Node? carry = null, sum = null, addend = null;
            foreach (var term in _terms)
            {
                if (IsLess(term, out var s, out var x) && s.Op == 0x7C && (x == s.A || x == s.B))
                {
                    if (carry is not null)
                    {
                        return; // two carries: not one 128-bit sum
                    }

                    (carry, sum, addend) = (term, s, x);
                }
            }

            if (carry is null)
            {
                return;
            }

            var others = _terms.Where(t => t != carry).ToList();
            var wide = new WideSum(addend!, others[0], addend == sum!.A ? sum.B! : sum.A!, others.Count == 2 ? others[1] : null);
            if (!Available(wide.XLow) || !Available(wide.XHigh) || !Available(wide.YLow) || (wide.YHigh is { } yHigh && !Available(yHigh))
                || !Holds(node, trial => SumHigh(wide, trial)))
            {
                return;
            }

            node.Sum = wide;
            EmitSum(node);
            Sums++;
        }

        private static bool Available(Node node) => node.ProducedAfter >= 0 || node.Op == 0x42;

        private static bool FlattenSum(Node root, Node n, List<Node> terms)
        {
            if (terms.Count > 3)
            {
                return false;
            }

            if (n.Op == 0x7C && (n == root || (n.Wide is null && n.Sum is null)))
            {
                return FlattenSum(root, n.A!, terms) && FlattenSum(root, n.B!, terms);
            }

            terms.Add(n);
            return true;
        }

        /// <summary>The high word of the 128-bit sum for this trial's pinned inputs.</summary>
        private ulong SumHigh(WideSum wide, int trial)
        {
            var xLow = Pin(wide.XLow, trial);
            var xHigh = Pin(wide.XHigh, trial);
            var yLow = Pin(wide.YLow, trial);
            var yHigh = wide.YHigh is null ? 0 : Pin(wide.YHigh, trial);
            return xHigh + yHigh + (xLow + yLow < xLow ? 1UL : 0);
        }

        /// <summary>After the instruction that left the sum on the stack: drop it and push i64.add128's high word.</summary>
        private void EmitSum(Node node)
        {
            var (xLow, xHigh, yLow, yHigh) = node.Sum!;
            var code = new List<byte>(24) { 0x1A };
            PushValue(code, xLow);
            PushValue(code, xHigh);
            PushValue(code, yLow);
            if (yHigh is null)
            {
                code.AddRange((ReadOnlySpan<byte>)[0x42, 0x00]);
            }
            else
            {
                PushValue(code, yHigh);
            }

            code.Add(WasmInstruction.MiscPrefix);
            code.Add(0x13); // i64.add128: pushes the low word, then the high word
            KeepHighWord(code);
            _insertions.Add((_instruction, _insertions.Count, code.ToArray()));
        }

        private void PushValue(List<byte> code, Node value)
        {
            if (value.Op == 0x42)
            {
                code.Add(0x42);
                Leb128.WriteSigned(code, (long)value.Constant);
            }
            else
            {
                PushSaved(code, value);
            }
        }

        /// <summary>[low, high] on the stack -> [high], through the function's scratch local.</summary>
        private void KeepHighWord(List<byte> code)
        {
            if (_scratchLocal < 0)
            {
                _scratchLocal = NewLocal();
            }

            code.Add(0x21);
            Leb128.WriteUnsigned(code, (ulong)_scratchLocal);
            code.Add(0x1A);
            code.Add(0x20);
            Leb128.WriteUnsigned(code, (ulong)_scratchLocal);
        }

        private bool TryPair(Node node, Node a, Node? b, ulong constantB)
        {
            if (a.ProducedAfter < 0 || b is { ProducedAfter: < 0 })
            {
                return false;
            }

            foreach (var high in (ReadOnlySpan<bool>)[false, true])
            {
                var x = new Factor(a, 0);
                var y = new Factor(b, constantB);
                if ((high ? IsHigh(node, x, y) : IsLow(node, x, y)) && Holds(node, trial => ProductHalf(a, b, constantB, high, trial)))
                {
                    node.Wide = new WideHalf(a, b, constantB, high);
                    EmitReplacement(node);
                    Products++;
                    return true;
                }
            }

            return false;
        }

        // ---- the exact forms of the two halves ----
        // With aL, aH (bL, bH) the 32-bit halves of A (B): ll = aL*bL, hl = aH*bL, lh = aL*bH, hh = aH*bH, and
        // mid = hl + lh (mod 2^64), A * B = hh*2^64 + (hl + lh)*2^32 + ll, so
        //   low half  = (mid << 32) + ll
        //   high half = hh + carry1 + (carry2 << 32) + (mid >> 32)
        // where carry1 = [low half < ll] (the carry out of the low half) and carry2 = [mid < hl] (hl + lh overflowed).
        // A value is replaced only if it is built exactly so (up to the order of commutative operands and of the
        // four addends of the high half), which makes the replacement an identity, not a guess.

        private static bool IsHalfOf(Node n, Factor f, bool high)
        {
            if (f.Node is null)
            {
                return n.Op == 0x42 && n.Constant == (high ? f.Constant >> 32 : f.Constant & 0xFFFF_FFFF);
            }

            return high
                ? n is { Op: 0x88, B: { Op: 0x42, Constant: 32 } } && n.A == f.Node
                : HalfSource(n) == f.Node && n.Op != 0x88;
        }

        private static bool IsPart(Node n, Factor a, bool aHigh, Factor b, bool bHigh) =>
            n.Op == 0x7E
            && ((IsHalfOf(n.A!, a, aHigh) && IsHalfOf(n.B!, b, bHigh)) || (IsHalfOf(n.B!, a, aHigh) && IsHalfOf(n.A!, b, bHigh)));

        private static bool IsMid(Node n, Factor a, Factor b) =>
            n.Op == 0x7C
            && ((IsPart(n.A!, a, true, b, false) && IsPart(n.B!, a, false, b, true))
                || (IsPart(n.B!, a, true, b, false) && IsPart(n.A!, a, false, b, true)));

        private static bool IsShiftBy32(Node n, byte op, out Node operand)
        {
            operand = n.A!;
            return n.Op == op && n.B is { Op: 0x42, Constant: 32 };
        }

        private static bool IsLow(Node n, Factor a, Factor b)
        {
            return n.Op == 0x7C && (Check(n.A!, n.B!) || Check(n.B!, n.A!));

            bool Check(Node shifted, Node ll) =>
                IsShiftBy32(shifted, 0x86, out var mid) && IsMid(mid, a, b) && IsPart(ll, a, false, b, false);
        }

        /// <summary>[x &lt; y] as extend_u(lt_u(x, y)) or extend_u(gt_u(y, x)).</summary>
        private static bool IsLess(Node n, out Node x, out Node y)
        {
            x = y = n;
            if (n is not { Op: 0xAD, A: { Op: 0x54 or 0x56 } compare })
            {
                return false;
            }

            (x, y) = compare.Op == 0x54 ? (compare.A!, compare.B!) : (compare.B!, compare.A!);
            return true;
        }

        private static bool IsHigh(Node n, Factor a, Factor b)
        {
            var found = new List<Node>(4);
            if (!Flatten(n, found) || found.Count != 4)
            {
                return false;
            }

            bool hh = false, carry1 = false, carry2 = false, midHigh = false;
            foreach (var term in found)
            {
                if (IsPart(term, a, true, b, true))
                {
                    hh = true;
                }
                else if (IsLess(term, out var low, out var ll))
                {
                    carry1 = IsLow(low, a, b) && IsPart(ll, a, false, b, false);
                }
                else if (IsShiftBy32(term, 0x86, out var shifted) && IsLess(shifted, out var sum, out var addend))
                {
                    carry2 = IsMid(sum, a, b) && (addend == sum.A || addend == sum.B);
                }
                else if (IsShiftBy32(term, 0x88, out var mid))
                {
                    midHigh = IsMid(mid, a, b);
                }
            }

            return hh && carry1 && carry2 && midHigh;
        }

        /// <summary>
        /// The addends of a sum. An or of (c &lt;&lt; 32) and (x &gt;&gt; 32), with c a comparison, is a sum too:
        /// the two have no bit in common.
        /// </summary>
        private static bool Flatten(Node n, List<Node> terms)
        {
            if (terms.Count > 4)
            {
                return false;
            }

            if (n.Op == 0x7C || (n.Op == 0x84 && IsDisjointOr(n)))
            {
                return Flatten(n.A!, terms) && Flatten(n.B!, terms);
            }

            terms.Add(n);
            return true;
        }

        private static bool IsDisjointOr(Node n)
        {
            return (IsCarryShift(n.A!) && IsShiftBy32(n.B!, 0x88, out _)) || (IsCarryShift(n.B!) && IsShiftBy32(n.A!, 0x88, out _));

            static bool IsCarryShift(Node x) => IsShiftBy32(x, 0x86, out var c) && IsLess(c, out _, out _);
        }

        /// <summary>After the instruction that left the node on the stack: drop it and push the equal half of A * B.</summary>
        private void EmitReplacement(Node node)
        {
            var (a, b, constantB, high) = node.Wide!;
            var code = new List<byte>(16) { 0x1A }; // drop the value computed the long way
            PushSaved(code, a);
            if (b is null)
            {
                code.Add(0x42);
                Leb128.WriteSigned(code, (long)constantB);
            }
            else
            {
                PushSaved(code, b);
            }

            code.Add(WasmInstruction.MiscPrefix);
            code.Add(0x16); // i64.mul_wide_u: pushes the low half, then the high half
            if (high)
            {
                KeepHighWord(code);
            }
            else
            {
                code.Add(0x1A);
            }

            _insertions.Add((_instruction, _insertions.Count, code.ToArray()));
        }

        /// <summary>Pushes a factor, saving it in a fresh local where it was computed (a tee leaves the stack as it was).</summary>
        private void PushSaved(List<byte> code, Node factor)
        {
            if (factor.SaveLocal < 0)
            {
                factor.SaveLocal = NewLocal();
                var tee = new List<byte>(4) { 0x22 };
                Leb128.WriteUnsigned(tee, (ulong)factor.SaveLocal);
                _insertions.Add((factor.ProducedAfter, _insertions.Count, tee.ToArray()));
            }

            code.Add(0x20);
            Leb128.WriteUnsigned(code, (ulong)factor.SaveLocal);
        }

        private int NewLocal() => _firstNewLocal + _newLocals++;

        /// <summary>
        /// The products a sum is made of: a walk down through the additions, shifts, ors, carry compares and
        /// extensions the two halves are built from, stopping at each multiplication.
        /// </summary>
        private bool CollectProducts(Node root)
        {
            _products.Clear();
            _stamp++;
            var pending = _pending;
            pending.Clear();
            pending.Push(root);
            root.Stamp = _stamp;
            var visited = 0;
            while (pending.Count > 0)
            {
                var node = pending.Pop();
                if (++visited > MaxVisited)
                {
                    return false;
                }

                if (node.Op == 0x7E)
                {
                    _products.Add(node);
                    continue;
                }

                if (node.Op is not (0x7C or 0x84 or 0x86 or 0x88 or 0xAD or 0x54 or 0x56))
                {
                    continue;
                }

                foreach (var child in (ReadOnlySpan<Node?>)[node.A, node.B])
                {
                    if (child is not null && child.Stamp != _stamp)
                    {
                        child.Stamp = _stamp;
                        pending.Push(child);
                    }
                }
            }

            return true;
        }

        /// <summary>The 64-bit values whose halves feed the products in the subtree, and the constant factors.</summary>
        private void CollectFactorCandidates()
        {
            _bases.Clear();
            _constants.Clear();
            var halves = new List<ulong>();
            foreach (var node in _products)
            {
                foreach (var operand in (ReadOnlySpan<Node>)[node.A!, node.B!])
                {
                    if (operand.Op == 0x42)
                    {
                        AddDistinct(halves, operand.Constant);
                    }
                    else
                    {
                        var source = HalfSource(operand) ?? operand;
                        if (!_bases.Contains(source))
                        {
                            _bases.Add(source);
                        }
                    }
                }
            }

            // A constant factor C appears as C's halves (or as C itself when it fits 32 bits).
            foreach (var low in halves)
            {
                AddDistinct(_constants, low);
                foreach (var high in halves)
                {
                    if (low <= uint.MaxValue && high <= uint.MaxValue && high != 0)
                    {
                        AddDistinct(_constants, (high << 32) | low);
                    }
                }
            }

            if (_bases.Count > 6)
            {
                _bases.RemoveRange(6, _bases.Count - 6);
            }
        }

        private static void AddDistinct(List<ulong> values, ulong value)
        {
            if (!values.Contains(value) && values.Count < 8)
            {
                values.Add(value);
            }
        }

        /// <summary>X for X &amp; 0xFFFFFFFF, X &gt;&gt; 32 and extend_u(wrap(X)); null otherwise.</summary>
        private static Node? HalfSource(Node node) => node switch
        {
            { Op: 0x83, B: { Op: 0x42, Constant: 0xFFFF_FFFF } } => node.A,
            { Op: 0x83, A: { Op: 0x42, Constant: 0xFFFF_FFFF } } => node.B,
            { Op: 0x88, B: { Op: 0x42, Constant: 32 } } => node.A,
            { Op: 0xAD, A: { Op: 0xA7 } } => node.A.A,
            _ => null,
        };

        /// <summary>
        /// A second, independent check of a match: the node evaluates to the expected value for edge-case and
        /// pseudo-random inputs. <paramref name="expected"/> pins the inputs for the trial (so the evaluation stays
        /// within the matched form) and returns what the wide instruction would give.
        /// </summary>
        private bool Holds(Node node, Func<int, ulong> expected)
        {
            for (var trial = 0; trial < Trials; trial++)
            {
                _stamp++;
                if (expected(trial) != Evaluate(node, trial))
                {
                    return false;
                }
            }

            return true;
        }

        /// <summary>The low or high half of A * B for this trial's pinned factors.</summary>
        private ulong ProductHalf(Node a, Node? b, ulong constantB, bool high, int trial)
        {
            var x = Pin(a, trial);
            var y = b is null ? constantB : Pin(b, trial);
            return high ? Math.BigMul(x, y, out _) : x * y;
        }

        /// <summary>The input's value in this trial (a constant's own value), fixed for the rest of the trial.</summary>
        private ulong Pin(Node factor, int trial)
        {
            if (factor.Op == 0x42)
            {
                return factor.Constant;
            }

            if (factor.Stamp != _stamp)
            {
                factor.Stamp = _stamp;
                factor.Value = TrialValue(factor, trial);
            }

            return factor.Value;
        }

        private static ulong TrialValue(Node node, int trial) => trial switch
        {
            0 => ulong.MaxValue,
            1 => 0,
            2 => 0xFFFF_FFFF,
            3 => 0xFFFF_FFFF_0000_0000,
            _ => Mix(((ulong)node.Id << 8) ^ (ulong)trial),
        };

        private ulong Evaluate(Node node, int trial)
        {
            if (node.Stamp == _stamp)
            {
                return node.Value;
            }

            ulong value;
            if (node.Op == Leaf)
            {
                value = TrialValue(node, trial);
            }
            else if (node.Op is 0x41 or 0x42)
            {
                value = node.Constant;
            }
            else
            {
                var a = Evaluate(node.A!, trial);
                var b = node.B is null ? 0 : Evaluate(node.B, trial);
                value = Apply(node.Op, a, b);
            }

            node.Stamp = _stamp;
            node.Value = value;
            return value;
        }

        private static ulong Mix(ulong x)
        {
            x += 0x9E37_79B9_7F4A_7C15;
            x = (x ^ (x >> 30)) * 0xBF58_476D_1CE4_E5B9;
            x = (x ^ (x >> 27)) * 0x94D0_49BB_1331_11EB;
            return x ^ (x >> 31);
        }
    }

    // ---- the modelled operations ----

    private static bool IsUnary(byte op) => op is 0x45 or 0x50 or (>= 0x67 and <= 0x69) or (>= 0x79 and <= 0x7B)
        or (>= 0x8B and <= 0x91) or (>= 0x99 and <= 0x9F) or (>= 0xA7 and <= 0xC4);

    /// <summary>The operations the halves of a product are built from; any other result is an unknown.</summary>
    private static bool IsModelled(byte op) => op is 0x54 or 0x56 or 0x7C or 0x7E or 0x83 or 0x84 or 0x86 or 0x88 or 0xA7 or 0xAD;

    private static ulong Apply(int op, ulong a, ulong b)
    {
        return op switch
        {
            0x54 => a < b ? 1UL : 0,
            0x56 => a > b ? 1UL : 0,
            0x7C => a + b,
            0x7E => a * b,
            0x83 => a & b,
            0x84 => a | b,
            0x86 => a << (int)(b & 63),
            0x88 => a >> (int)(b & 63),
            0xA7 or 0xAD => (uint)a, // i32.wrap_i64, i64.extend_i32_u
            _ => throw new InvalidOperationException($"operation 0x{op:X2} is not modelled"),
        };
    }
}
