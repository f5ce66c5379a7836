using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Json;
using Xunit.Abstractions;
using Zkml.TestSupport;

namespace Zkml.Market.Tests;

/// <summary>
/// Gas used by each contract function, measured on anvil with the real ezkl proof fixture (proof.json of engine
/// 21.0.0: 14,816 bytes, 4 public output instances) attested by a 2-of-3 committee. Prints the table and writes it to
/// .zkml/gas-report.md; asserts each figure stays under a ceiling so a regression fails the test.
/// </summary>
[Collection(AnvilCollection.Name)]
public class GasReportTests(AnvilChain chain, ITestOutputHelper output)
{
    [Fact]
    public async Task Gas_per_contract_function_with_the_real_ezkl_proof_fixture()
    {
        using var proofJson = JsonDocument.Parse(await File.ReadAllTextAsync(TestPaths.Fixture("proof.json")));
        var snarkProof = proofJson.RootElement.GetProperty("proof").EnumerateArray().Select(b => b.GetByte()).ToArray();
        // ezkl writes field elements as 32-byte little-endian hex.
        var instances = proofJson.RootElement.GetProperty("instances")[0].EnumerateArray()
            .Select(h => new BigInteger(Convert.FromHexString(h.GetString()!), isUnsigned: true, isBigEndian: false)).ToArray();
        var vk = await File.ReadAllBytesAsync(TestPaths.Fixture("vk.key"));
        var gas = new List<(string Function, BigInteger Gas, long Ceiling)>();
        void Record(string function, TransactionReceipt receipt, long ceiling) => gas.Add((function, receipt.GasUsed, ceiling));

        var deployMarket = await DeployReceiptAsync(() => ProofMarketClient.DeployAsync(chain.Deployer, AnvilChain.SlashBasisPoints).ContinueWith(t => t.Result.Address));
        Record("deploy ProofMarket", deployMarket.Receipt, 2_500_000);
        var market = new ProofMarketClient(chain.Rpc, deployMarket.Address, chain.Provider);

        // The fixture's model: id = keccak256(abi.encode(provider, keccak256(vk.key))). Inputs are private in its settings, so 0 input instances.
        var modelId = ProofMarketClient.ComputeModelId(chain.Provider.Address, vk);
        var deployVerifier = await DeployReceiptAsync(() => AttestationVerifierClient.DeployAsync(
            chain.Deployer, modelId, chain.Deployer.Address, chain.Committee.Select(k => k.Address).ToArray(), 2).ContinueWith(t => t.Result.Address));
        Record("deploy AttestationVerifier (3 members, k=2)", deployVerifier.Receipt, 2_000_000);
        var verifier = new AttestationVerifierClient(chain.Rpc, deployVerifier.Address, chain.Deployer);
        var registration = new ModelRegistration(ProofMarketClient.ComputeVerifyingKeyHash(vk), verifier.Address, Wei.Ether(1) / 100, Wei.Ether(1) / 200, TimeSpan.FromMinutes(10), 0,
            "s3://zkml/models/1l_mlp");
        var registered = await market.RegisterModelAsync(registration);
        Assert.Equal(modelId, registered.ModelId);
        Record("registerModel", registered.Receipt, 200_000);

        var requester = market.WithSender(chain.Requester);
        var commitment = ProofMarketClient.ComputeInstancesHash([]);
        async Task<ProofRequestSubmission> SubmitAsync(TimeSpan deadlineIn) =>
            await requester.RequestProofAsync(modelId, commitment, "s3://zkml/inputs/input.json",
                DateTimeOffset.FromUnixTimeSeconds(await chain.NowAsync()) + deadlineIn, registration.Price);
        async Task<BigInteger> RequestAsync(TimeSpan deadlineIn) => (await SubmitAsync(deadlineIn)).RequestId;

        var submission = await SubmitAsync(TimeSpan.FromHours(1));
        var first = submission.RequestId;
        Record("requestProof", submission.Receipt, 200_000);
        Record("lock", await market.LockAsync(first, registration.LockCollateral), 120_000);
        byte[] Attest(BigInteger requestId, byte[] proof)
        {
            var digest = Attestation.Digest(chain.ChainId, verifier.Address, modelId, market.Address, requestId, chain.Provider.Address, proof, instances);
            return Attestation.EncodeProof(proof, digest, [chain.Committee[0].Sign(digest), chain.Committee[2].Sign(digest)]);
        }

        var attested = Attest(first, snarkProof);
        Assert.True(await verifier.VerifyAsync(attested, instances, market.Address, first, chain.Provider.Address));
        Record($"fulfil (locked; {snarkProof.Length}-byte proof, {instances.Length} instances, 2 signatures)",
            await market.FulfilAsync(first, attested, instances, "s3://zkml/proofs/1.json"), 700_000);

        // A small proof shows the execution cost that the calldata of a real proof hides.
        var small = new byte[256];
        var fifth = await RequestAsync(TimeSpan.FromHours(1));
        await market.LockAsync(fifth, registration.LockCollateral);
        var smallAttested = Attest(fifth, small);
        Record("fulfil (locked; 256-byte zero proof, 4 instances, 2 signatures)", await market.FulfilAsync(fifth, smallAttested, instances, "s3://p"), 150_000);
        Record("withdraw", await market.WithdrawAsync(), 60_000);

        var third = await RequestAsync(TimeSpan.FromMinutes(5));
        var fourth = await RequestAsync(TimeSpan.FromMinutes(5));
        await market.LockAsync(fourth, registration.LockCollateral);
        await chain.TravelAsync(TimeSpan.FromMinutes(6));
        Record("refund (open request)", await requester.RefundAsync(third), 80_000);
        Record("refund (broken lock, slashed)", await requester.RefundAsync(fourth), 100_000);

        var sixth = await RequestAsync(TimeSpan.FromHours(1));
        await market.LockAsync(sixth, registration.LockCollateral);
        await chain.TravelAsync(TimeSpan.FromMinutes(11));
        Record("lock (takeover of an expired lock, slashed)", await market.WithSender(chain.OtherProver).LockAsync(sixth), 120_000);

        Record("AttestationVerifier.proposeCommittee (4 members)",
            await verifier.ProposeCommitteeAsync([.. chain.Committee.Select(k => k.Address), chain.Outsider.Address], 3), 200_000);
        await chain.TravelAsync(TimeSpan.FromDays(31) + TimeSpan.FromMinutes(1));
        Record("AttestationVerifier.applyCommitteeChange (3 -> 4 members)", await verifier.ApplyCommitteeChangeAsync(), 250_000);

        var report = new StringBuilder("| function | gas used |\n|---|---:|\n");
        foreach (var (function, used, _) in gas)
        {
            report.Append(CultureInfo.InvariantCulture, $"| {function} | {used:N0} |\n");
        }

        output.WriteLine(report.ToString());
        Console.WriteLine(report.ToString());
        var path = Path.Combine(TestPaths.RepoRoot, ".zkml", "gas-report.md");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllTextAsync(path, report.ToString());

        Assert.All(gas, g => Assert.True(g.Gas > 21_000 && g.Gas < g.Ceiling, $"{g.Function}: {g.Gas} gas (ceiling {g.Ceiling})"));
    }

    private async Task<(EthereumAddress Address, TransactionReceipt Receipt)> DeployReceiptAsync(Func<Task<EthereumAddress>> deploy)
    {
        var block = await chain.Rpc.GetBlockNumberAsync();
        var address = await deploy();
        var transactions = await chain.Rpc.RequestAsync("eth_getBlockByNumber", [HexConverter.ToQuantity(block + 1), false]);
        var hash = transactions.GetProperty("transactions")[0].GetString()!;
        var receipt = (await chain.Rpc.GetTransactionReceiptAsync(hash))!;
        Assert.Equal(address, receipt.ContractAddress);
        return (address, receipt);
    }
}
