using Zkml.Ezkl.Compilation;
using Zkml.Ezkl.Compilation.Circuit;
using Zkml.TestSupport;

namespace Zkml.Ezkl.Tests.Compilation;

public sealed class FixtureCompileTests
{
    [Fact]
    public void Compiling_the_fixture_network_with_its_settings_reproduces_model_compiled_byte_for_byte()
    {
        var onnx = File.ReadAllBytes(TestPaths.Fixture("network.onnx"));
        var settings = CircuitSettings.Load(TestPaths.Fixture("settings.json"));
        var expected = File.ReadAllBytes(TestPaths.Fixture("model.compiled"));

        var actual = CompiledCircuitCodec.Encode(CircuitCompiler.Compile(onnx, settings));

        Assert.Equal(expected.Length, actual.Length);
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void Decoding_then_encoding_the_fixture_compiled_circuit_round_trips_every_byte()
    {
        var expected = File.ReadAllBytes(TestPaths.Fixture("model.compiled"));

        var circuit = CompiledCircuitCodec.Decode(expected);

        // Key 5 (tract's zero constant for Relu) was deleted by ezkl, leaving a gap.
        Assert.Equal(new ulong[] { 0, 1, 2, 3, 4, 6 }, circuit.Model.Nodes.Keys.ToArray());
        Assert.Equal(expected, CompiledCircuitCodec.Encode(circuit));
    }

    [Fact]
    public void Settings_json_written_from_the_fixture_reads_back_to_the_same_bincode()
    {
        var settings = CircuitSettings.Load(TestPaths.Fixture("settings.json"));
        var circuit = CompiledCircuitCodec.Decode(File.ReadAllBytes(TestPaths.Fixture("model.compiled")));

        var reread = CircuitSettings.Parse(settings.ToJson());

        Assert.Equal(
            CompiledCircuitCodec.Encode(circuit with { Settings = Unsafe(settings) }),
            CompiledCircuitCodec.Encode(circuit with { Settings = Unsafe(reread) }));
    }

    [Fact]
    public void The_settings_embedded_in_model_compiled_are_the_fixture_settings_json_apart_from_what_bincode_omits()
    {
        var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(TestPaths.Fixture("settings.json")))!.AsObject();
        var embedded = CompiledCircuitCodec.Decode(File.ReadAllBytes(TestPaths.Fixture("model.compiled"))).Settings;

        // ezkl's bincode has no tolerance or div_rebasing; everything else, the lookups and range checks included, is the same.
        var runArgs = json["run_args"]!.AsObject();
        runArgs.Remove("tolerance");
        runArgs.Remove("div_rebasing");
        var decoded = System.Text.Json.Nodes.JsonNode.Parse(embedded.ToJson())!.AsObject();
        decoded["run_args"]!.AsObject().Remove("tolerance");
        Assert.Equal(json.ToJsonString(), decoded.ToJsonString());
    }

    private static CircuitSettings Unsafe(CircuitSettings settings)
    {
        var copy = settings.Clone();
        copy.CheckMode = CheckMode.Unsafe;
        return copy;
    }

    [Fact]
    public void A_truncated_compiled_circuit_is_rejected_with_a_format_error()
    {
        var bytes = File.ReadAllBytes(TestPaths.Fixture("model.compiled"));

        var error = Assert.Throws<CompiledCircuitFormatException>(() => CompiledCircuitCodec.Decode(bytes.AsMemory(0, 1000)));

        Assert.Contains("offset", error.Message);
    }

    [Fact]
    public void ReadLogrows_finds_the_k_of_ezkls_compiled_fixture_in_its_bincode_settings()
    {
        var settings = CircuitSettings.Load(TestPaths.Fixture("settings.json"));
        var circuit = CompiledCircuit.Load(TestPaths.Fixture("model.compiled"));

        Assert.Equal(6, settings.RunArgs.Logrows);
        Assert.Equal(6, circuit.Logrows);
        Assert.Equal(6, EzklCompiler.ReadLogrows(circuit));
    }

    [Fact]
    public void ReadLogrows_returns_the_k_the_compiler_was_given()
    {
        var compiler = new EzklCompiler();
        var onnx = File.ReadAllBytes(TestPaths.Fixture("network.onnx"));

        var circuit = compiler.CompileCircuit(onnx, compiler.GenerateSettings(onnx, new RunArgs { Logrows = 11 }));

        Assert.True(EzklCompiler.TryReadLogrows(circuit, out var logrows));
        Assert.Equal(11, logrows);
    }

    [Fact]
    public void ReadLogrows_of_a_truncated_circuit_is_a_format_error_and_TryReadLogrows_says_false()
    {
        var circuit = CompiledCircuit.FromBytes(File.ReadAllBytes(TestPaths.Fixture("model.compiled")).AsSpan(0, 1000));

        Assert.Throws<CompiledCircuitFormatException>(() => EzklCompiler.ReadLogrows(circuit));
        Assert.False(EzklCompiler.TryReadLogrows(circuit, out _));
    }
}
