using System.Numerics;
using System.Text;
using Nethereum.Model;
using Nethereum.RLP;
using Zkml.Market.Abi;

namespace Zkml.Market.Tests;

/// <summary>
/// The Ethereum primitives, as the package gets them from Nethereum (keccak, secp256k1, RLP, EIP-155/1559 transactions,
/// EIP-712) or does itself (ABI), against published test vectors (EIPs, the Solidity ABI spec, the RLP spec).
/// </summary>
public class PrimitiveVectorTests
{
    private static string Hex(byte[] bytes) => HexConverter.ToHex(bytes);

    [Theory]
    [InlineData("", "0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470")]
    [InlineData("abc", "0x4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45")]
    [InlineData("The quick brown fox jumps over the lazy dog", "0x4d741b6f1eb29cb2a9b9911c82f56fa8d73b04959d3d9d222895df6c0b28aa15")]
    public void Keccak256_matches_known_digests(string text, string expected) =>
        Assert.Equal(expected, Hex(Keccak256.Hash(text)));

    [Theory]
    [InlineData("0x0000000000000000000000000000000000000000000000000000000000000001", "0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf")]
    [InlineData("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80", "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266")]
    [InlineData("0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d", "0x70997970C51812dc3A010C7d01b50e0d17dc79C8")]
    public void Private_key_derives_the_known_address(string privateKey, string address) =>
        Assert.Equal(address, EthereumKey.FromHex(privateKey).Address.ToString());

    [Theory]
    [InlineData("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed")]
    [InlineData("0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359")]
    [InlineData("0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB")]
    [InlineData("0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb")]
    public void Address_checksum_matches_EIP55_examples(string address)
    {
        Assert.Equal(address, EthereumAddress.Parse(address.ToLowerInvariant()).ToString());
        Assert.Equal(address, EthereumAddress.Parse(address).ToString());
    }

    [Fact]
    public void Address_with_a_wrong_checksum_is_rejected()
    {
        var e = Assert.Throws<EthereumFormatException>(() => EthereumAddress.Parse("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD"));
        Assert.Contains("checksum", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Legacy_transaction_matches_the_EIP155_example()
    {
        // The EIP-155 example, signed with the package's key by Nethereum's legacy signer.
        var key = EthereumKey.FromHex("0x4646464646464646464646464646464646464646464646464646464646464646");
        var tx = new LegacyTransactionChainId("0x3535353535353535353535353535353535353535", BigInteger.Parse("1000000000000000000"), 9,
            BigInteger.Parse("20000000000"), 21000, "", 1);

        Assert.Equal("0xdaf5a779ae972f972197303d7b574746c7ef83eadac0f2791ad23db92e4c8e53", Hex(Keccak256.Hash(tx.GetRLPEncodedRaw())));
        var signature = key.Sign(Keccak256.Hash(tx.GetRLPEncodedRaw()));
        Assert.Equal(BigInteger.Parse("18515461264373351373200002665853028612451056578545711640558177340181847433846"), signature.R);
        Assert.Equal(BigInteger.Parse("46948507304638947509940763649030358759909902576025900602547168820602576006531"), signature.S);
        Assert.Equal(
            "0xf86c098504a817c800825208943535353535353535353535353535353535353535880de0b6b3a76400008025a028ef61340bd939bc2195fe537567866003e1a15d3c71ff63e1590620aa636276a067cbe9d8997f761aecb703304b3800ccf555c9f3dc64214b297fb1966a3b6d83",
            Hex(HexConverter.FromHex(new Nethereum.Signer.LegacyTransactionSigner().SignTransaction(key.Key.GetPrivateKeyAsBytes(), tx))));
    }

    private static readonly Dictionary<string, IReadOnlyList<TypedDataField>> MailTypes = new()
    {
        ["Person"] = [new("name", "string"), new("wallet", "address")],
        ["Mail"] = [new("from", "Person"), new("to", "Person"), new("contents", "string")],
    };

    private static readonly Dictionary<string, object?> MailMessage = new()
    {
        ["from"] = new Dictionary<string, object?> { ["name"] = "Cow", ["wallet"] = EthereumAddress.Parse("0xcd2a3d9f938e13cd947ec05abc7fe734df8dd826") },
        ["to"] = new Dictionary<string, object?> { ["name"] = "Bob", ["wallet"] = EthereumAddress.Parse("0xbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb") },
        ["contents"] = "Hello, Bob!",
    };

    private static readonly Eip712Domain MailDomain =
        new("Ether Mail", "1", 1, EthereumAddress.Parse("0xcccccccccccccccccccccccccccccccccccccccc"));

    [Fact]
    public void Eip712_hashes_match_the_EIP712_mail_example()
    {
        Assert.Equal("0xf2cee375fa42b42143804025fc449deafd50cc031ca257e0b194a650a912090f", Hex(Eip712.HashDomain(MailDomain)));
        Assert.Equal("0xc52c0ee5d84264471806290a3f2c4cecfc5490626bf912d01f240d7a274b371e", Hex(Eip712.HashStruct("Mail", MailTypes, MailMessage)));
        Assert.Equal("0xbe609aee343fb3c4b28e1df9e632fca64fcfaede20f02e86244efddf30957bd2", Hex(Eip712.Digest(MailDomain, "Mail", MailTypes, MailMessage)));
    }

    [Fact]
    public void Eip712_signature_matches_the_EIP712_mail_example()
    {
        var cow = new EthereumKey(Keccak256.Hash("cow"));
        Assert.Equal("0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826", cow.Address.ToString());

        var signature = cow.Sign(Eip712.Digest(MailDomain, "Mail", MailTypes, MailMessage));

        Assert.Equal(28, signature.V);
        Assert.Equal(HexConverter.ParseQuantity("0x4355c47d63924e8a72e509b65029052eb6c299d53a04e167c5775fd466751c9d"), signature.R);
        Assert.Equal(HexConverter.ParseQuantity("0x07299936d304c153f6443dfa05f40ff007d72911b6f72307f996231605b91562"), signature.S);
    }

    [Fact]
    public void Signatures_are_low_s_and_recover_their_signer()
    {
        var key = EthereumKey.FromHex("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80");
        var halfOrder = HexConverter.ParseQuantity("0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0");
        var parities = new HashSet<int>();
        for (var i = 0; i < 64; i++)
        {
            var hash = Keccak256.Hash("message " + i);
            var signature = key.Sign(hash);
            Assert.True(signature.S <= halfOrder, $"high s for message {i}");
            Assert.Equal(key.Address, signature.RecoverSigner(hash));
            Assert.Equal(signature, EthereumSignature.FromBytes(signature.ToBytes()));
            parities.Add(signature.YParity);
        }

        Assert.Equal(2, parities.Count); // both recovery ids occur and both recover correctly
    }

    [Fact]
    public void Signing_is_deterministic_RFC6979()
    {
        var key = EthereumKey.FromHex("0x4646464646464646464646464646464646464646464646464646464646464646");
        var hash = Keccak256.Hash("same message");
        Assert.Equal(key.Sign(hash), key.Sign(hash));
    }

    [Theory]
    [InlineData("dog", "0x83646f67")]
    [InlineData("", "0x80")]
    [InlineData("Lorem ipsum dolor sit amet, consectetur adipisicing elit",
        "0xb8384c6f72656d20697073756d20646f6c6f722073697420616d65742c20636f6e7365637465747572206164697069736963696e6720656c6974")]
    public void Rlp_encodes_strings_as_the_spec(string text, string expected) =>
        Assert.Equal(expected, Hex(RLP.EncodeElement(Encoding.ASCII.GetBytes(text))));

    [Theory]
    [InlineData(0, "0x80")]
    [InlineData(15, "0x0f")]
    [InlineData(1024, "0x820400")]
    public void Rlp_encodes_integers_as_the_spec(long value, string expected) =>
        Assert.Equal(expected, Hex(RLP.EncodeElement(new BigInteger(value).ToBytesForRLPEncoding())));

    [Fact]
    public void Rlp_encodes_lists_as_the_spec()
    {
        Assert.Equal("0xc88363617483646f67", Hex(RLP.EncodeList(RLP.EncodeElement("cat"u8.ToArray()), RLP.EncodeElement("dog"u8.ToArray()))));
        Assert.Equal("0xc0", Hex(RLP.EncodeList()));
        var empty = RLP.EncodeList();
        var setTheory = RLP.EncodeList(empty, RLP.EncodeList(empty), RLP.EncodeList(empty, RLP.EncodeList(empty)));
        Assert.Equal("0xc7c0c1c0c3c0c1c0", Hex(setTheory));
    }

    [Fact]
    public void Signed_EIP1559_transaction_decodes_to_its_fields_and_recovers_its_sender()
    {
        var key = EthereumKey.FromHex("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80");
        var tx = new Eip1559Transaction(31337, 7, 1_000_000_000, 30_000_000_000, 21000,
            EthereumAddress.Parse("0x70997970c51812dc3a010c7d01b50e0d17dc79c8"), 12345, [0xde, 0xad]);
        var raw = tx.Sign(key);

        Assert.Equal(0x02, raw[0]);
        var fields = (RLPCollection)RLP.Decode(raw[1..]);
        Assert.Equal(12, fields.Count);
        Assert.Equal(new BigInteger(31337), fields[0].RLPData.ToBigIntegerFromRLPDecoded());
        Assert.Equal(new BigInteger(7), fields[1].RLPData.ToBigIntegerFromRLPDecoded());
        Assert.Equal(new BigInteger(12345), fields[6].RLPData.ToBigIntegerFromRLPDecoded());
        Assert.Equal([0xde, 0xad], fields[7].RLPData);
        Assert.Empty((RLPCollection)fields[8]); // access list
        var signature = new EthereumSignature(fields[10].RLPData.ToBigIntegerFromRLPDecoded(), fields[11].RLPData.ToBigIntegerFromRLPDecoded(),
            (int)(fields[9].RLPData ?? []).ToBigIntegerFromRLPDecoded());
        Assert.Equal(key.Address, signature.RecoverSigner(tx.SigningHash()));
        Assert.Equal(Keccak256.Hash(raw), Eip1559Transaction.HashOf(raw));
    }

    [Fact]
    public void Abi_encodes_static_arguments_as_the_spec()
    {
        var call = Call("baz(uint32,bool)", ["uint32", "bool"], [69, true]);
        Assert.Equal("0xcdcd77c0" + W("45") + W("1"), call);
        var bytes3 = Call("bar(bytes3[2])", ["bytes3[2]"], [new object[] { "abc"u8.ToArray(), "def"u8.ToArray() }]);
        Assert.Equal("0xfce353f6" + R("616263") + R("646566"), bytes3);
    }

    [Fact]
    public void Abi_encodes_dynamic_arguments_as_the_spec()
    {
        var sam = Call("sam(bytes,bool,uint256[])", ["bytes", "bool", "uint256[]"], ["dave"u8.ToArray(), true, new object[] { 1, 2, 3 }]);
        Assert.Equal("0xa5643bf2" + W("60") + W("1") + W("a0") + W("4") + R("64617665") + W("3") + W("1") + W("2") + W("3"), sam);

        var f = Call("f(uint256,uint32[],bytes10,bytes)", ["uint256", "uint32[]", "bytes10", "bytes"],
            [0x123, new object[] { 0x456, 0x789 }, "1234567890"u8.ToArray(), "Hello, world!"u8.ToArray()]);
        Assert.Equal("0x8be65246" + W("123") + W("80") + R("31323334353637383930") + W("e0") + W("2") + W("456") + W("789")
                     + W("d") + R("48656c6c6f2c20776f726c6421"), f);

        var g = Call("g(uint256[][],string[])", ["uint256[][]", "string[]"],
            [new object[] { new object[] { 1, 2 }, new object[] { 3 } }, new object[] { "one", "two", "three" }]);
        Assert.Equal("0x2289b18c" + W("40") + W("140") + W("2") + W("40") + W("a0") + W("2") + W("1") + W("2") + W("1") + W("3")
                     + W("3") + W("60") + W("a0") + W("e0") + W("3") + R("6f6e65") + W("3") + R("74776f") + W("5") + R("7468726565"), g);
    }

    [Fact]
    public void Abi_decodes_what_it_encodes_including_tuples()
    {
        AbiType[] types = [.. new[] { "(bytes32,address,uint96,string)", "uint256[][]", "string[]", "int8" }.Select(AbiType.Parse)];
        var address = EthereumAddress.Parse("0x70997970c51812dc3a010c7d01b50e0d17dc79c8");
        object?[] values =
        [
            new object?[] { new byte[32], address, (BigInteger)5, "uri://x" },
            new object?[] { new object?[] { (BigInteger)1, (BigInteger)2 }, new object?[] { (BigInteger)3 } },
            new object?[] { "one", "three" },
            (BigInteger)(-5),
        ];
        var decoded = AbiType.DecodeParameters(types, AbiType.EncodeParameters(types, values));
        var tuple = (object?[])decoded[0]!;
        Assert.Equal(address, tuple[1]);
        Assert.Equal("uri://x", tuple[3]);
        Assert.Equal((BigInteger)3, ((object?[])((object?[])decoded[1]!)[1]!)[0]);
        Assert.Equal(["one", "three"], ((object?[])decoded[2]!).Cast<string>());
        Assert.Equal((BigInteger)(-5), decoded[3]);
    }

    [Fact]
    public void Abi_rejects_values_that_do_not_fit_and_truncated_data()
    {
        Assert.Throws<EthereumFormatException>(() => AbiType.Parse("uint8").Encode(256));
        Assert.Throws<EthereumFormatException>(() => AbiType.Parse("uint256").Encode(-1));
        Assert.Throws<EthereumFormatException>(() => AbiType.Parse("bytes32").Encode(new byte[31]));
        // a string whose length word claims 100 bytes that are not there
        Assert.Throws<EthereumFormatException>(() => AbiType.DecodeParameters([AbiType.Parse("string")], HexConverter.FromHex(W("20") + W("64"))));
        Assert.Throws<EthereumFormatException>(() => AbiType.Parse("uint77"));
    }

    [Fact]
    public void Market_calls_events_and_errors_encode_as_Nethereum_encodes_them()
    {
        // The package keeps its own strict ABI codec (Nethereum's accepts a 31-byte bytes32, uint77, and decodes a string
        // whose data is missing as ""); here it must agree with Nethereum's encoder on every market call it makes.
        using var stream = typeof(ProofMarketClient).Assembly.GetManifestResourceStream("Zkml.Market.Contracts.ProofMarket.json")!;
        using var artifact = System.Text.Json.JsonDocument.Parse(stream);
        var reference = new Nethereum.ABI.ABIDeserialisation.ABIJsonDeserialiser().DeserialiseContract(artifact.RootElement.GetProperty("abi").GetRawText());
        var ours = Zkml.Market.Market.ContractInvoker.ProofMarketAbi;
        var address = EthereumAddress.Parse("0x70997970c51812dc3a010c7d01b50e0d17dc79c8");
        var word = Keccak256.Hash("word");
        var calls = new (string Function, object?[] Ours, object[] Theirs)[]
        {
            ("registerModel", [word, address, (BigInteger)10, (BigInteger)5, (BigInteger)600, (BigInteger)2, "s3://m"],
                [word, address.ToString(), (BigInteger)10, (BigInteger)5, (BigInteger)600, (BigInteger)2, "s3://m"]),
            ("requestProof", [word, word, "s3://in", (BigInteger)1_800_000_000], [word, word, "s3://in", (BigInteger)1_800_000_000]),
            ("lock", [(BigInteger)7], [(BigInteger)7]),
            ("fulfil", [(BigInteger)7, new byte[] { 1, 2, 3, 4, 5 }, new object?[] { (BigInteger)1, BigInteger.Pow(2, 255) }, "s3://p"],
                [(BigInteger)7, new byte[] { 1, 2, 3, 4, 5 }, new List<BigInteger> { 1, BigInteger.Pow(2, 255) }, "s3://p"]),
            ("modelIdOf", [address, word], [address.ToString(), word]),
        };
        foreach (var (function, mine, theirs) in calls)
        {
            var abi = reference.Functions.Single(f => f.Name == function);
            Assert.Equal(new Nethereum.ABI.FunctionEncoding.FunctionCallEncoder().EncodeRequest(abi.Sha3Signature, abi.InputParameters, theirs),
                Hex(ours.Function(function).EncodeCall(mine)));
        }

        Assert.Equal(reference.Events.Length, ours.Events.Count());
        foreach (var evt in reference.Events)
        {
            Assert.Equal("0x" + evt.Sha3Signature, Hex(ours.Event(evt.Name).Topic));
        }

        foreach (var error in reference.Errors)
        {
            var revert = HexConverter.FromHex(error.Sha3Signature[..8] + new string('0', 64 * error.InputParameters.Length));
            Assert.Equal(error.Name, ours.DecodeError(revert)?.Name);
        }
    }

    [Fact]
    public void Event_topic_and_error_selector_follow_the_signature_hash()
    {
        Assert.Equal("0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef", Hex(Keccak256.Hash("Transfer(address,address,uint256)")));
        Assert.Equal("0x08c379a0", Hex(Keccak256.Hash("Error(string)")[..4]));
        Assert.Equal("0x4e487b71", Hex(Keccak256.Hash("Panic(uint256)")[..4]));
    }

    [Fact]
    public void Hex_rejects_bad_input()
    {
        Assert.Throws<EthereumFormatException>(() => HexConverter.FromHex("0x123"));
        Assert.Throws<EthereumFormatException>(() => HexConverter.FromHex("0xzz"));
        Assert.Equal("0x0", HexConverter.ToQuantity(0));
        Assert.Equal("0x400", HexConverter.ToQuantity(1024));
    }

    private static string Call(string signature, string[] types, object?[] values) =>
        Hex([.. Keccak256.Hash(signature)[..4], .. AbiType.EncodeParameters(types.Select(AbiType.Parse).ToArray(), values)]);

    /// <summary>A left-padded word from hex digits.</summary>
    private static string W(string hexDigits) => hexDigits.PadLeft(64, '0');

    /// <summary>A right-padded word from hex digits.</summary>
    private static string R(string hexDigits) => hexDigits.PadRight(64, '0');
}
