using System.Numerics;
using Zkml.TestSupport;

namespace Zkml.Ezkl.Tests.Artifacts;

/// <summary>The typed artifacts: parsing, round-tripping and local validation (no engine involved).</summary>
public sealed class ArtifactTests
{
    [Fact]
    public void Settings_round_trip_byte_for_byte()
    {
        var original = File.ReadAllBytes(TestPaths.Fixture("settings.json"));

        var settings = CircuitSettings.Parse(original);

        Assert.Equal(System.Text.Encoding.UTF8.GetString(original), settings.ToJson());
        Assert.Equal(6, settings.RunArgs.Logrows);
        Assert.Equal(Visibility.Private, settings.RunArgs.InputVisibility);
        Assert.True(settings.RunArgs.OutputVisibility.IsPublic);
        Assert.Equal([new IntRange(-1, 1), new IntRange(0, 127)], settings.RequiredRangeChecks);
        Assert.Equal([[1L, 4L]], settings.ModelInstanceShapes);
        Assert.Equal(new CircuitVariable("batch_size", 1), Assert.Single(settings.RunArgs.Variables));
        Assert.Equal(CheckMode.Unsafe, settings.CheckMode);
        Assert.Equal(1726429587279, settings.Timestamp);
    }

    [Fact]
    public void Settings_keep_unknown_members_and_hashed_visibility()
    {
        var json = File.ReadAllText(TestPaths.Fixture("settings.json"))
            .Replace("\"input_visibility\": \"Private\"", "\"input_visibility\": {\"Hashed\": {\"hash_is_public\": true, \"outlets\": []}}")
            .Replace("\"timestamp\": 1726429587279", "\"timestamp\": 1726429587279,\n    \"future_member\": {\"a\": [1, 2.5]}");

        var settings = CircuitSettings.Parse(json);
        var again = CircuitSettings.Parse(settings.ToJsonBytes());

        Assert.Equal("Hashed", again.RunArgs.InputVisibility.Kind);
        Assert.Contains("\"hash_is_public\":true", again.RunArgs.InputVisibility.ToJson());
        Assert.Equal("{\"a\":[1,2.5]}", System.Text.RegularExpressions.Regex.Replace(again.AdditionalMembers!["future_member"].GetRawText(), "\\s", string.Empty));
        Assert.Equal(settings.ToJson(), again.ToJson());
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("not json", "malformed")]
    [InlineData("[]", "malformed")]
    [InlineData("{}", "run_args")]
    [InlineData("{\"run_args\": 3}", "run_args")]
    public void Malformed_settings_are_rejected_with_the_reason(string json, string expected)
    {
        var error = Assert.Throws<EzklInvalidArtifactException>(() => CircuitSettings.Parse(System.Text.Encoding.UTF8.GetBytes(json)));

        Assert.Equal(ArtifactKind.Settings, error.ArtifactKind);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void Settings_with_out_of_range_values_fail_validation()
    {
        var settings = CircuitSettings.Load(TestPaths.Fixture("settings.json"));
        settings.RunArgs.Logrows = 0;

        var error = Assert.Throws<EzklInvalidArtifactException>(settings.Validate);

        Assert.Contains("logrows", error.Message);
    }

    [Fact]
    public void Srs_reads_k_from_its_header_and_checks_the_length()
    {
        var srs = Srs.Load(TestPaths.Fixture("kzg"));
        var k1 = Srs.Load(TestPaths.Fixture("kzg1.srs"));

        Assert.Equal(6, srs.Logrows);
        Assert.Equal(64, srs.PointCount);
        Assert.Equal(1, k1.Logrows);
        Assert.Equal("7fe160fd", srs.Sha256[..8]);

        var truncated = Assert.Throws<EzklInvalidArtifactException>(() => Srs.FromBytes(srs.Bytes.Span[..8000]));
        Assert.Equal(ArtifactKind.Srs, truncated.ArtifactKind);
        Assert.Contains("8452", truncated.Message);
        var badHeader = srs.ToArray();
        badHeader[0] = 99;
        Assert.Contains("k = 99", Assert.Throws<EzklInvalidArtifactException>(() => Srs.FromBytes(badHeader)).Message);
        Assert.Throws<EzklInvalidArtifactException>(() => Srs.FromBytes([]));
    }

    [Fact]
    public void Proof_exposes_its_instances_and_transcript()
    {
        var proof = Proof.Load(TestPaths.Fixture("proof.json"));

        Assert.Equal(4, Assert.Single(proof.Instances).Count);
        Assert.All(proof.Instances[0], felt => Assert.Equal(Felt.Zero, felt));
        Assert.Equal(14816, proof.ProofBytes.Length);
        Assert.Equal("EVM", proof.TranscriptType);
    }

    [Fact]
    public void Witness_exposes_quantized_inputs_and_outputs()
    {
        var witness = Witness.Load(TestPaths.Fixture("witness.json"));

        Assert.Equal([2, 1, 1], witness.Inputs[0].Select(f => (int)f.ToSignedInteger()));
        Assert.Equal(4, witness.Outputs[0].Count);
    }

    [Theory]
    [InlineData(ArtifactKind.Proof, "{\"instances\": [[\"zz\"]], \"proof\": [1]}", "instances[0][0]")]
    [InlineData(ArtifactKind.Proof, "{\"instances\": [], \"proof\": [1, 300]}", "proof[1]")]
    [InlineData(ArtifactKind.Witness, "{\"inputs\": []}", "outputs")]
    [InlineData(ArtifactKind.Input, "{\"input_data\": [[1, \"x\"]]}", "input_data[0][1]")]
    [InlineData(ArtifactKind.Input, "{\"input_data\": []}", "empty")]
    public void Malformed_json_artifacts_name_the_bad_member(ArtifactKind kind, string json, string expected)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(json);
        Action parse = kind switch
        {
            ArtifactKind.Proof => () => Proof.FromBytes(bytes),
            ArtifactKind.Witness => () => Witness.FromBytes(bytes),
            _ => () => ModelInput.FromBytes(bytes),
        };

        var error = Assert.Throws<EzklInvalidArtifactException>(parse);

        Assert.Equal(kind, error.ArtifactKind);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void Input_values_may_be_numbers_booleans_or_field_elements()
    {
        var input = ModelInput.FromBytes(System.Text.Encoding.UTF8.GetBytes(
            $"{{\"input_data\": [[1.5, true, \"{Felt.FromSignedInteger(-3).ToLittleEndianHex()}\"]]}}"));

        Assert.Equal([1.5, 1.0, -3.0], input.InputData[0]);
    }

    [Fact]
    public void Binary_artifacts_refuse_empty_truncated_or_json_content()
    {
        Assert.Equal(ArtifactKind.VerifyingKey, Assert.Throws<EzklInvalidArtifactException>(() => VerifyingKey.FromBytes([])).ArtifactKind);
        Assert.Equal(ArtifactKind.ProvingKey, Assert.Throws<EzklInvalidArtifactException>(() => ProvingKey.FromBytes(new byte[10])).ArtifactKind);
        var json = Assert.Throws<EzklInvalidArtifactException>(() => CompiledCircuit.FromBytes(File.ReadAllBytes(TestPaths.Fixture("settings.json"))));
        Assert.Contains("JSON", json.Message);
    }

    [Fact]
    public async Task Saving_an_artifact_writes_the_exact_bytes()
    {
        var vk = VerifyingKey.Load(TestPaths.Fixture("vk.key"));
        var path = Path.Combine(Path.GetTempPath(), "zkml-test-" + Guid.NewGuid().ToString("N"), "vk.key");
        try
        {
            await vk.SaveAsync(path);
            Assert.Equal(vk.ToArray(), await File.ReadAllBytesAsync(path));
            Assert.Single(Directory.GetFiles(Path.GetDirectoryName(path)!)); // no temporary file left behind
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
        }
    }

    [Fact]
    public void Felts_convert_between_ezkl_hex_forms_and_signed_integers()
    {
        var minusSix = Felt.FromSignedInteger(-6);

        Assert.Equal(Felt.Modulus - 6, minusSix.Value);
        Assert.Equal(new BigInteger(-6), minusSix.ToSignedInteger());
        Assert.Equal(minusSix, Felt.FromLittleEndianHex(minusSix.ToLittleEndianHex()));
        Assert.Equal(minusSix, Felt.FromBigEndianHex(minusSix.ToBigEndianHex()));
        Assert.Equal("0x0000000000000000000000000000000000000000000000000000000000000002", Felt.FromSignedInteger(2).ToBigEndianHex());
        Assert.False(Felt.TryFromLittleEndianHex(new string('f', 64), out _)); // above the modulus
        Assert.Throws<EzklInvalidArtifactException>(() => Felt.FromLittleEndianHex("12"));
    }
}
