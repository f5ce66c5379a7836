using Zkml.Ezkl.Onnx;

namespace Zkml.Ezkl.Compilation.Normalization;

/// <summary>Why an ONNX operator is refused: every operator ezkl v21 imports (through tract) but Zkml does not lay
/// out yet is named with the ezkl layout it would need; anything else is not imported by ezkl v21 either.</summary>
internal sealed partial class OnnxNormalizer
{
    private const string SortAndShuffle =
        "it lays out with ezkl's sort and shuffle argument, whose settings accounting Zkml does not implement yet; a circuit with guessed shuffle sizes could fail or mislead";

    private const string DynamicLookup =
        "with indices computed in the circuit it lays out with ezkl's dynamic lookup, whose settings accounting Zkml does not implement yet";

    private const string Decomposition =
        "ezkl lays it out with its decomposition gadgets (Hybrid Floor, Ceil, Round) that Zkml does not lay out yet";

    private const string Division =
        "ezkl lays it out as Hybrid Sqrt, Rsqrt or Recip (a division by a computed value), which Zkml does not lay out yet";

    private static readonly Dictionary<string, string> s_refusals = new(StringComparer.Ordinal)
    {
        ["LogSoftmax"] = SortAndShuffle,
        ["Hardmax"] = SortAndShuffle,
        ["GatherElements"] = DynamicLookup,
        ["GatherND"] = DynamicLookup,
        ["ScatterElements"] = DynamicLookup,
        ["ScatterND"] = DynamicLookup,
        ["OneHot"] = DynamicLookup,
        ["ReduceProd"] = "ezkl's Poly Prod is not laid out by Zkml yet",
        ["Floor"] = Decomposition,
        ["Ceil"] = Decomposition,
        ["Round"] = Decomposition,
        ["ConvTranspose"] = "ezkl's Poly DeConv is not laid out by Zkml yet",
        ["Resize"] = "ezkl's Poly Resize (nearest) is not laid out by Zkml yet",
        ["Upsample"] = "ezkl's Poly Resize (nearest) is not laid out by Zkml yet",
        ["Trilu"] = "ezkl's Poly Trilu is not laid out by Zkml yet",
        ["QuantizeLinear"] = "quantized ONNX models are not supported: export the float model and let ezkl quantize it",
        ["DequantizeLinear"] = "quantized ONNX models are not supported: export the float model and let ezkl quantize it",
        ["LSTM"] = "tract turns it into a Scan sub-graph, which ezkl lays out as a SubGraph node; Zkml does not compile sub-graphs",
        ["GRU"] = "tract turns it into a Scan sub-graph, which ezkl lays out as a SubGraph node; Zkml does not compile sub-graphs",
        ["RNN"] = "tract turns it into a Scan sub-graph, which ezkl lays out as a SubGraph node; Zkml does not compile sub-graphs",
        ["Scan"] = "ezkl lays it out as a SubGraph node; Zkml does not compile sub-graphs",
        ["Loop"] = "ezkl v21 does not import control flow",
        ["If"] = "ezkl v21 does not import control flow",
        ["CumSum"] = "tract turns it into a Scan sub-graph, which ezkl lays out as a SubGraph node; Zkml does not compile sub-graphs",
        ["Gelu"] = "ONNX Gelu is not an op of the tract revision ezkl v21 pins; export GELU as Erf (exact) or Tanh (approximate) and Zkml compiles it",
        ["Tile"] = "ezkl v21 has no op for tract's Tile",
        ["Mod"] = "ezkl v21 has no op for tract's Mod",
        ["NonZero"] = "its output shape depends on the values; ezkl v21 supports it only on constants",
    };

    private static UnsupportedOperatorException Refused(OnnxNode node) =>
        Unsupported(node, s_refusals.TryGetValue(node.OpType, out var reason) ? reason : "ezkl v21 does not import it either");
}
