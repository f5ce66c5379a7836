using Zkml.Ezkl;
using Zkml.Ezkl.Onnx;

namespace Zkml.Properties.Tests;

/// <summary>The ONNX reader on mutated and random bytes: only the compiler's typed errors escape.</summary>
public sealed class OnnxProperties
{
    [Fact]
    public void OnnxReaderOnlyTypedErrorsEscapeOnHostileBytes()
    {
        var fixture = Inputs.Fixture("network.onnx");
        Assert.NotEmpty(OnnxGraph.Parse(fixture).Nodes);
        Property.ForAll(Inputs.Hostile(fixture), 1901, bytes => Property.OnlyTyped<EzklException>(() => OnnxGraph.Parse(bytes)));
    }
}
