using Google.Protobuf;
using Zkml.Ezkl.Compilation;
using Zkml.Ezkl.Compilation.Circuit;
using Zkml.Ezkl.Onnx;
using Zkml.Ezkl.Onnx.Proto;
using Zkml.TestSupport;

namespace Zkml.Ezkl.Tests.Compilation;

public sealed class OnnxReaderTests
{
    private static readonly EzklCompiler Compiler = new();

    [Fact]
    public void An_unsupported_operator_is_reported_with_its_type_node_name_and_the_supported_list()
    {
        var b = new OnnxModelBuilder();
        var x = b.AddInput("input", [1, 4]);
        b.AddOutput(b.AddNode("Floor", [x], [1, 4]), "output");

        var error = Assert.Throws<UnsupportedOperatorException>(() => Compiler.GenerateSettings(b.ToBytes()));

        Assert.Equal("Floor", error.OpType);
        Assert.Equal("Floor_0", error.NodeName);
        Assert.Contains("Gemm", error.SupportedOperators);
        Assert.Contains("Floor", error.Message);
        Assert.Contains("Floor_0", error.Message);
        Assert.Contains("Supported operators: Abs, Acos, Acosh, Add", error.Message);
    }

    [Fact]
    public void An_unsupported_attribute_of_a_supported_operator_is_reported_too()
    {
        var b = new OnnxModelBuilder();
        var x = b.AddInput("input", [1, 1, 4, 4]);
        var w = b.AddInitializer("w", new float[4], 1, 1, 2, 2);
        b.AddOutput(b.AddNode("Conv", [x, w], [1, 1, 2, 2], new Dictionary<string, object> { ["dilations"] = new long[] { 2, 2 } }), "output");

        var error = Assert.Throws<UnsupportedOperatorException>(() => Compiler.GenerateSettings(b.ToBytes()));

        Assert.Equal("Conv", error.OpType);
        Assert.Contains("dilations", error.Message);
    }

    [Fact]
    public void Hardmax_is_refused_with_the_reason_rather_than_compiled_with_guessed_sizes()
    {
        var b = new OnnxModelBuilder();
        var x = b.AddInput("input", [1, 4]);
        b.AddOutput(b.AddNode("Hardmax", [x], [1, 4]), "output");

        var error = Assert.Throws<UnsupportedOperatorException>(() => Compiler.GenerateSettings(b.ToBytes()));

        Assert.Equal("Hardmax", error.OpType);
        Assert.Contains("shuffle", error.Message);
    }

    [Fact]
    public void Bytes_that_are_not_protobuf_are_a_malformed_model()
    {
        var error = Assert.Throws<OnnxModelException>(() => Compiler.GenerateSettings("definitely not onnx"u8.ToArray()));

        Assert.Contains("protobuf", error.Message);
    }

    [Fact]
    public void A_model_without_a_graph_is_a_malformed_model()
    {
        var bytes = new ModelProto { IrVersion = 8 }.ToByteArray();

        Assert.Throws<OnnxModelException>(() => Compiler.GenerateSettings(bytes));
    }

    [Fact]
    public void A_truncated_model_is_a_malformed_model()
    {
        var bytes = File.ReadAllBytes(TestPaths.Fixture("network.onnx"));

        Assert.Throws<OnnxModelException>(() => Compiler.GenerateSettings(bytes.AsSpan(0, bytes.Length / 2)));
    }

    [Fact]
    public void Weights_stored_in_an_external_file_are_rejected_clearly()
    {
        var model = ModelProto.Parser.ParseFrom(TestModels.Mlp(1, 3, 2));
        var weight = model.Graph.Initializer[0];
        weight.RawData = ByteString.Empty;
        weight.DataLocation = TensorProto.Types.DataLocation.External;
        weight.ExternalData.Add(new StringStringEntryProto { Key = "location", Value = "weights.bin" });

        var error = Assert.Throws<OnnxModelException>(() => Compiler.GenerateSettings(model.ToByteArray()));

        Assert.Contains("external", error.Message);
    }

    [Fact]
    public void A_node_reading_an_undefined_tensor_is_a_malformed_model()
    {
        var b = new OnnxModelBuilder();
        b.AddInput("input", [1, 4]);
        b.AddOutput(b.AddNode("Relu", ["nowhere"], [1, 4]), "output");

        var error = Assert.Throws<OnnxModelException>(() => Compiler.GenerateSettings(b.ToBytes()));

        Assert.Contains("nowhere", error.Message);
    }

    [Fact]
    public void Float_data_int64_data_and_raw_data_initializers_compile_to_the_same_circuit()
    {
        var raw = TestModels.Mlp(9, 3, 4, 2);
        var model = ModelProto.Parser.ParseFrom(raw);
        foreach (var tensor in model.Graph.Initializer)
        {
            var values = new float[tensor.RawData.Length / 4];
            Buffer.BlockCopy(tensor.RawData.ToByteArray(), 0, values, 0, tensor.RawData.Length);
            tensor.RawData = ByteString.Empty;
            tensor.FloatData.AddRange(values);
        }

        var settings = Compiler.GenerateSettings(raw, new RunArgs { Logrows = 10 });

        Assert.Equal(Compiler.CompileCircuit(raw, settings).ToArray(), Compiler.CompileCircuit(model.ToByteArray(), settings).ToArray());
    }

    [Fact]
    public void A_symbolic_batch_dimension_takes_the_batch_size_variable()
    {
        var onnx = TestModels.Mlp(2, 3, 5, 4);
        var args = new RunArgs { Logrows = 12, Variables = [new CircuitVariable("batch_size", 3)] };

        var settings = Compiler.GenerateSettings(onnx, args);

        Assert.Equal([[3L, 4L]], settings.ModelInstanceShapes);
    }

    [Fact]
    public void Gemm_becomes_einsum_plus_a_bias_add_and_relu_a_leaky_relu_of_slope_zero()
    {
        var table = Compiler.DescribeModel(File.ReadAllBytes(TestPaths.Fixture("network.onnx")), new RunArgs { InputScale = 0, ParamScale = 0 });

        Assert.Equal(new long[] { 0, 1, 2, 3, 4, 6 }, table.Select(r => r.Index));
        Assert.StartsWith("Input", table[0].Operation);
        Assert.Equal("Einsum{equation: \"mk,nk->mn\"}", table[2].Operation);
        Assert.Equal("Add", table[4].Operation);
        Assert.Equal("LeakyReLU{slope: 0, scale: 1}", table[5].Operation);
        Assert.Equal(new long[] { 1, 4 }, table[5].OutDims);
    }

    [Fact]
    public void Products_above_the_target_scale_are_rebased_and_bias_constants_requantized()
    {
        var onnx = TestModels.Mlp(4, 3, 4, 2);

        var rebased = Compiler.DescribeModel(onnx, new RunArgs { InputScale = 7, ParamScale = 7, ScaleRebaseMultiplier = 1 });
        var unrebased = Compiler.DescribeModel(onnx, new RunArgs { InputScale = 7, ParamScale = 7, ScaleRebaseMultiplier = 10 });

        Assert.StartsWith("RebaseScale(Einsum", rebased.Single(r => r.Index == 2).Operation);
        Assert.Equal(7, rebased.Single(r => r.Index == 2).OutScale);
        Assert.Equal(7, rebased.Single(r => r.Index == 3).OutScale); // bias stays at param scale
        Assert.Equal(14, unrebased.Single(r => r.Index == 2).OutScale);
        Assert.Equal(14, unrebased.Single(r => r.Index == 3).OutScale); // single-use bias requantized to 14
    }
}
