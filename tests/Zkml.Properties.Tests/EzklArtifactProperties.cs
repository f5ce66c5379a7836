using System.Text;
using CsCheck;
using Zkml.Ezkl;
using Zkml.Ezkl.Compilation.Circuit;

namespace Zkml.Properties.Tests;

/// <summary>The artifact parsers of Zkml.Ezkl on mutated fixtures and random bytes: only <see cref="EzklException"/>s.</summary>
public sealed class EzklArtifactProperties
{
    [Fact]
    public void ProofParsesTheFixtureAndOnlyTypedErrorsEscapeOnHostileBytes()
    {
        var fixture = Inputs.Fixture("proof.json");
        var proof = Proof.FromBytes(fixture);
        Assert.True(proof.Bytes.Span.SequenceEqual(fixture));
        Property.ForAll(Inputs.Hostile(fixture), 1701, bytes => Property.OnlyTyped<EzklInvalidArtifactException>(() => Proof.FromBytes(bytes)));
    }

    [Fact]
    public void ModelInputOnlyTypedErrorsEscapeOnHostileBytes()
    {
        var fixture = Inputs.Fixture("input.json");
        ModelInput.FromBytes(fixture);
        Property.ForAll(Inputs.Hostile(fixture), 1702, bytes => Property.OnlyTyped<EzklInvalidArtifactException>(() => ModelInput.FromBytes(bytes)));
    }

    [Fact]
    public void ModelInputRoundTripsFiniteValues()
    {
        var values = Gen.Double.Where(double.IsFinite).Array[1, 16].Array[1, 4];
        Property.ForAll(values, 1703, rows =>
        {
            var written = ModelInput.FromValues(rows);
            var read = ModelInput.FromBytes(written.Bytes.Span);
            Assert.Equal(rows.Length, read.InputData.Count);
            for (var i = 0; i < rows.Length; i++)
            {
                Assert.Equal(rows[i], read.InputData[i]);
            }
        }, rows => string.Join(" | ", rows.Select(r => string.Join(",", r.Select(d => d.ToString("R"))))));
    }

    [Fact]
    public void CircuitSettingsOnlyTypedErrorsEscapeOnHostileBytes()
    {
        var fixture = Inputs.Fixture("settings.json");
        CircuitSettings.Parse(fixture);
        Property.ForAll(Inputs.Hostile(fixture), 1704, bytes => Property.OnlyTyped<EzklInvalidArtifactException>(() => CircuitSettings.Parse(bytes)));
    }

    [Fact]
    public void CompiledCircuitCodecRoundTripsTheFixture()
    {
        var fixture = Inputs.Fixture("model.compiled");
        var circuit = CompiledCircuitCodec.Decode(fixture);
        Assert.Equal(fixture, CompiledCircuitCodec.Encode(circuit));
    }

    [Fact]
    public void CompiledCircuitCodecReEncodesWhatItDecodesAndOnlyTypedErrorsEscape()
    {
        var fixture = Inputs.Fixture("model.compiled");
        var decodedMutants = 0;
        Property.ForAll(Inputs.Hostile(fixture), 1705, bytes =>
        {
            Property.OnlyTyped<EzklInvalidArtifactException>(() =>
            {
                var circuit = CompiledCircuitCodec.Decode(bytes);
                decodedMutants++;

                // Whatever decodes is a circuit the writer can write and the reader read back identically.
                var again = CompiledCircuitCodec.Encode(circuit);
                Assert.Equal(again, CompiledCircuitCodec.Encode(CompiledCircuitCodec.Decode(again)));
            });
            Property.OnlyTyped<EzklInvalidArtifactException>(() => CompiledCircuitCodec.ReadLogrows(bytes));
            Property.OnlyTyped<EzklInvalidArtifactException>(() => CompiledCircuit.FromBytes(bytes));
        });
        Assert.True(decodedMutants > 0, "no mutant decoded: the generator is too destructive to test the round trip");
    }

    [Fact]
    public async Task SrsReaderOnlyTypedErrorsEscapeOnHostileBytes()
    {
        var fixture = Inputs.Fixture("kzg1.srs");
        Assert.Equal(1, await KzgSrs.ValidateAsync(Srs.FromBytes(fixture), SrsValidation.Full));
        Property.ForAll(Inputs.Hostile(fixture), 1706, bytes => Property.OnlyTyped<EzklInvalidArtifactException>(() =>
        {
            var srs = Srs.FromBytes(bytes);
            KzgSrs.ValidateAsync(srs).GetAwaiter().GetResult();
        }));
    }

    [Fact]
    public void SrsFullValidationOnlyTypedErrorsEscapeOnHostileBytes()
    {
        var fixture = Inputs.Fixture("kzg1.srs");
        Property.ForAll(Inputs.Hostile(fixture), 1707, bytes => Property.OnlyTyped<EzklInvalidArtifactException>(() =>
        {
            KzgSrs.ValidateAsync(Srs.FromBytes(bytes), SrsValidation.Full).GetAwaiter().GetResult();
        }), cases: 100);
    }

    [Fact]
    public void PinnedVerifyingKeyRoundTripsAndOnlyTypedErrorsEscape()
    {
        var text = File.ReadAllText(Path.Combine(Zkml.TestSupport.TestPaths.Fixtures, "pinned-vk.txt")).TrimEnd('\n', '\r');
        var key = Zkml.Ezkl.Evm.PinnedVerifyingKey.Parse(text);
        Assert.Equal(text, key.Text);

        var fixture = Encoding.ASCII.GetBytes(text);
        Property.ForAll(Inputs.Mutated(fixture), 1708, bytes =>
        {
            Property.OnlyTyped<EvmVerifierException>(() => Zkml.Ezkl.Evm.PinnedVerifyingKey.Parse(Encoding.Latin1.GetString(bytes)));
            if (Zkml.Ezkl.Evm.PinnedVerifyingKey.TryParsePrefix(bytes, out var parsed, out var length))
            {
                // A prefix that parses is itself a complete key.
                Assert.Equal(parsed!.Text, Zkml.Ezkl.Evm.PinnedVerifyingKey.Parse(Encoding.ASCII.GetString(bytes, 0, length)).Text);
            }
        }, cases: 200);
    }

    [Fact]
    public void PinnedVerifyingKeyPrefixScanFindsTheKeyInsideNoise()
    {
        var text = File.ReadAllText(Path.Combine(Zkml.TestSupport.TestPaths.Fixtures, "pinned-vk.txt")).TrimEnd('\n', '\r');
        var key = Encoding.ASCII.GetBytes(text);
        Property.ForAll(Gen.Byte.Array[0, 64], 1709, tail =>
        {
            var buffer = key.Concat(new byte[] { 0 }).Concat(tail).ToArray();
            Assert.True(Zkml.Ezkl.Evm.PinnedVerifyingKey.TryParsePrefix(buffer, out var parsed, out var length));
            Assert.Equal(key.Length, length);
            Assert.Equal(text, parsed!.Text);
        }, cases: 50);
    }

    [Fact]
    public void PinnedVerifyingKeyWithHostileNumbersOnlyTypedErrorsEscape()
    {
        var text = File.ReadAllText(Path.Combine(Zkml.TestSupport.TestPaths.Fixtures, "pinned-vk.txt")).TrimEnd('\n', '\r');
        var numbers = System.Text.RegularExpressions.Regex.Matches(text, "(?<=[:(] )-?[0-9]+(?=[ ,)}])").Cast<System.Text.RegularExpressions.Match>().Take(400).ToArray();
        Assert.True(numbers.Length > 10);
        var hostileNumber = Gen.Frequency(
            (2, Gen.Int.Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture))),
            (1, Gen.Long.Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture))),
            (1, Gen.Char['0', '9'].Array[1, 40].Select(c => new string(c))),
            (1, Gen.Int[-2, 40].Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture))));
        var edit = Gen.Select(Gen.Int[0, numbers.Length - 1], hostileNumber);
        Property.ForAll(edit, 1710, e =>
        {
            var m = numbers[e.Item1];
            var mutated = string.Concat(text.AsSpan(0, m.Index), e.Item2, text.AsSpan(m.Index + m.Length));
            Property.OnlyTyped<EvmVerifierException>(() => Zkml.Ezkl.Evm.PinnedVerifyingKey.Parse(mutated));
            Zkml.Ezkl.Evm.PinnedVerifyingKey.TryParsePrefix(Encoding.ASCII.GetBytes(mutated), out _, out _);
        }, e => $"number #{e.Item1} ('{numbers[e.Item1].Value}' at {numbers[e.Item1].Index}) -> '{e.Item2}'");
    }

    [Fact]
    public void CompiledCircuitWithAnOutOfRangeSettingIsAFormatErrorNotAnOverflow()
    {
        // Found by seed 1705, case 75: a u64 that bincode reads but that does not fit its settings field (int);
        // the decoder threw OverflowException. The generator is deterministic, so this replays that exact input.
        var gen = Inputs.Hostile(Inputs.Fixture("model.compiled"));
        var pcg = new PCG(1, 1705);
        byte[] bytes = [];
        for (var i = 0; i <= 75; i++)
        {
            bytes = gen.Generate(pcg, null, out _);
        }

        var decode = Record.Exception(() => CompiledCircuitCodec.Decode(bytes));
        Assert.IsType<CompiledCircuitFormatException>(decode);
        Assert.IsType<OverflowException>(decode.InnerException);
    }
}
