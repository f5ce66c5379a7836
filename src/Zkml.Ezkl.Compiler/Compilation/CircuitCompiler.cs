using Zkml.Ezkl.Compilation.Circuit;
using Zkml.Ezkl.Compilation.Normalization;
using Zkml.Ezkl.Onnx;

namespace Zkml.Ezkl.Compilation;

/// <summary>The synchronous core of the compiler: ONNX bytes in, ezkl structures out.</summary>
internal static class CircuitCompiler
{
    public static GraphModel BuildModel(ReadOnlySpan<byte> onnx, RunArgs runArgs, out TypedGraph typed)
    {
        var graph = OnnxGraph.Parse(onnx);
        typed = OnnxNormalizer.Normalize(graph, runArgs);
        return CircuitBuilder.Build(typed, runArgs);
    }

    /// <summary>ezkl's <c>compile-circuit</c>: the model built with the settings' run args, the settings
    /// embedded verbatim except that the top-level check mode is forced to UNSAFE, and a placeholder
    /// witness of zero inputs.</summary>
    public static GraphCircuit Compile(ReadOnlySpan<byte> onnx, CircuitSettings settings)
    {
        var model = BuildModel(onnx, settings.RunArgs, out var typed);
        var embedded = settings.Clone();
        embedded.CheckMode = CheckMode.Unsafe;
        var witness = EmbeddedWitness.Placeholder(typed.Inputs.Select(i => ShapeMath.Size(i.Shape)));
        return new GraphCircuit(model, embedded, witness);
    }
}
