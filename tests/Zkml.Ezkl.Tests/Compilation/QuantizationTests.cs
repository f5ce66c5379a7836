using Zkml.Ezkl.Compilation;
using Zkml.Ezkl.Onnx;

namespace Zkml.Ezkl.Tests.Compilation;

public sealed class QuantizationTests
{
    [Theory]
    [InlineData(0.5 / 128, 7, 1)]     // exactly half: away from zero, not to even
    [InlineData(-0.5 / 128, 7, -1)]
    [InlineData(1.5 / 128, 7, 2)]
    [InlineData(2.5 / 128, 7, 3)]
    [InlineData(0.3, 0, 0)]
    [InlineData(double.NaN, 7, 0)]
    public void Quantization_rounds_half_away_from_zero_like_rust(double value, int scale, long expected)
    {
        Assert.Equal(expected, (long)Quantization.Quantize(value, scale));
    }

    [Fact]
    public void Opset_11_squeeze_and_unsqueeze_take_their_axes_from_attributes()
    {
        var b = new OnnxModelBuilder(opset: 11);
        var x = b.AddInput("input", [1, 4]);
        x = b.AddNode("Unsqueeze", [x], [1, 1, 4], new Dictionary<string, object> { ["axes"] = new long[] { 1 } });
        x = b.AddNode("Squeeze", [x], [1, 4], new Dictionary<string, object> { ["axes"] = new long[] { 1 } });
        b.AddOutput(b.Relu(x), "output");

        var table = new EzklCompiler().DescribeModel(b.ToBytes());

        Assert.Equal(["Reshape{[1,1,4]}", "Reshape{[1,4]}"], table.Where(r => r.Operation.StartsWith("Reshape", StringComparison.Ordinal)).Select(r => r.Operation));
        Assert.Equal(new long[] { 1, 4 }, table[^1].OutDims);
    }
}
