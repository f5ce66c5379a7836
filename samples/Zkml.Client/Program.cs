using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Numerics;
using System.Text.Json;
using Zkml.Ezkl;
using Zkml.Market;
using Zkml.Samples;
using Zkml.Storage;

namespace Zkml.Client;

/// <summary>zkml-client: request proofs on the Zkml market and check them.</summary>
internal static class Program
{
    private static readonly Option<string> Data = new("--data") { Description = "The provider's data directory (deployment.json; the store with filesystem storage)", DefaultValueFactory = _ => ".zkml/demo" };
    private static readonly Option<string> StorageKind = new("--storage") { Description = "filesystem or s3", DefaultValueFactory = _ => "filesystem" };
    private static readonly Option<string?> S3Endpoint = new("--s3-endpoint") { Description = "S3 service URL" };
    private static readonly Option<string> S3Bucket = new("--s3-bucket") { Description = "S3 bucket", DefaultValueFactory = _ => "zkml" };
    private static readonly Option<string> S3AccessKey = new("--s3-access-key") { Description = "S3 access key", DefaultValueFactory = _ => "" };
    private static readonly Option<string> S3SecretKey = new("--s3-secret-key") { Description = "S3 secret key", DefaultValueFactory = _ => "" };

    private static async Task<int> Main(string[] args)
    {
        var input = new Option<string>("--input") { Description = "The input: 4 comma-separated numbers", Required = true };
        var deadline = new Option<int>("--deadline") { Description = "Seconds until the deadline", DefaultValueFactory = _ => 600 };
        var key = new Option<string>("--key") { Description = "The paying account's private key", DefaultValueFactory = _ => DevAccounts.Client };
        var commitTo = new Option<string?>("--commit-to") { Description = "Commit on chain to other values than the stored input (a request no honest prover can serve)" };
        var refund = new Option<bool>("--refund") { Description = "When the deadline passes unfulfilled, claim the refund and withdraw it" };
        var json = new Option<string?>("--json") { Description = "Also write the outcome as JSON to this file" };
        var request = new Command("request", "Store an input, pay for a proof, wait for fulfilment or refund, fetch and verify the proof")
        {
            Data, StorageKind, S3Endpoint, S3Bucket, S3AccessKey, S3SecretKey, input, deadline, key, commitTo, refund, json,
        };
        request.SetAction((parse, ct) => RunRequestAsync(parse, parse.GetValue(input)!, parse.GetValue(deadline), parse.GetValue(key)!,
            parse.GetValue(commitTo), parse.GetValue(refund), parse.GetValue(json), ct));

        var host = new Option<string>("--host") { Description = "The provider host's URL", Required = true };
        var summary = new Command("summary", "Print the provider's requests as a table") { host };
        summary.SetAction((parse, ct) => RunSummaryAsync(parse.GetValue(host)!, ct));

        var root = new RootCommand("zkml-client: request verifiable inferences on the Zkml proof market") { request, summary };
        var result = root.Parse(args);
        if (result.Errors.Count > 0)
        {
            foreach (var error in result.Errors)
            {
                await Console.Error.WriteLineAsync("zkml-client: " + error.Message);
            }

            return 2;
        }

        try
        {
            return await result.InvokeAsync();
        }
        catch (Exception e) when (e is MarketException or EzklException or StorageException or InvalidOperationException or FormatException or ArgumentException)
        {
            await Console.Error.WriteLineAsync("zkml-client: " + e.Message);
            return 1;
        }
    }

    private static double[] ParseValues(string text) =>
        text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();

    private static async Task<int> RunRequestAsync(
        ParseResult parse, string inputText, int deadlineSeconds, string keyHex, string? commitToText, bool refund, string? jsonPath, CancellationToken ct)
    {
        var dataDirectory = parse.GetValue(Data)!;
        var deployment = SampleDeployment.TryLoad(dataDirectory)
            ?? throw new InvalidOperationException($"No {SampleDeployment.FileName} in {dataDirectory}: start the provider first.");
        if (deployment.ModelId is null)
        {
            throw new InvalidOperationException("The provider has not registered its model yet.");
        }

        var storage = new SampleStorage
        {
            Kind = parse.GetValue(StorageKind)!, Endpoint = parse.GetValue(S3Endpoint), Bucket = parse.GetValue(S3Bucket)!,
            AccessKey = parse.GetValue(S3AccessKey)!, SecretKey = parse.GetValue(S3SecretKey)!,
        };
        var (store, records) = await storage.OpenAsync(dataDirectory, ct);
        using var rpc = new EthereumRpcClient(new Uri(deployment.RpcUrl));
        var sender = new TransactionSender(rpc, EthereumKey.FromHex(keyHex), new TransactionSenderOptions { ReceiptPollingInterval = TimeSpan.FromMilliseconds(50) });
        var market = new ProofMarketClient(rpc, EthereumAddress.Parse(deployment.MarketAddress), sender);
        await using var engine = await EzklEngine.CreateAsync(new EzklEngineOptions { MaxInstances = 1 }, cancellationToken: ct);
        var model = await ModelBundle.LoadAsync(store, records, deployment.ModelId, forProving: false, ct);
        var info = await market.GetModelAsync(HexConverter.FromHex(deployment.ModelId), ct);

        var values = ParseValues(inputText);
        var clock = Stopwatch.StartNew();
        var submitted = await new ProofRequester(engine, store, market).RequestAsync(
            model, values, TimeSpan.FromSeconds(deadlineSeconds), info.Price, commitToText is null ? null : ParseValues(commitToText), ct);
        var id = submitted.RequestId;
        Console.WriteLine($"request {id}: paid {Eth(info.Price)} ETH for a proof of [{string.Join(", ", values)}] (tx {submitted.TransactionHash}), deadline {submitted.Deadline:HH:mm:ss}");
        Console.WriteLine($"request {id}: input stored at {submitted.Input.Key}, commitment {HexConverter.ToHex(submitted.InputCommitment)}");

        // Wait with progress for fulfilment, or for the deadline.
        var last = ProofRequestStatus.None;
        ProofRequestState state;
        while (true)
        {
            state = await market.GetRequestAsync(id, ct);
            if (state.Status != last)
            {
                Console.WriteLine($"request {id}: {state.Status} after {clock.Elapsed.TotalSeconds:F1} s");
                last = state.Status;
            }

            if (state.Status is ProofRequestStatus.Fulfilled or ProofRequestStatus.Refunded)
            {
                break;
            }

            if (DateTimeOffset.UtcNow > state.Deadline + TimeSpan.FromSeconds(1))
            {
                if (!refund)
                {
                    Console.WriteLine($"request {id}: the deadline passed unfulfilled; run again with --refund to claim the payment back");
                    return 3;
                }

                await ClaimRefundAsync(market, id, ct);
                continue;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250), ct);
        }

        var outcome = new Dictionary<string, object?> { ["requestId"] = id.ToString(), ["status"] = state.Status.ToString(), ["waitMs"] = clock.ElapsedMilliseconds };
        if (state.Status == ProofRequestStatus.Fulfilled)
        {
            var fulfilled = (await new RequestIndexer(market, new RequestIndexerOptions { StartBlock = deployment.DeploymentBlock }).ReadAsync(cancellationToken: ct))
                .OfType<RequestFulfilledEvent>().Single(e => e.RequestId == id);
            var proof = Proof.FromBytes(await store.ReadAllBytesAsync(StoreUri.KeyOf(fulfilled.ProofUri), ct));
            var instances = ModelBundle.Instances(proof);
            var inputsMatch = ProofMarketClient.ComputeInstancesHash(instances.Take(model.InputCount)).AsSpan().SequenceEqual(submitted.InputCommitment);
            var verification = await engine.VerifyAsync(proof, model.VerifyingKey, model.CircuitSettings, model.Srs, ct);
            var outputs = model.Outputs(proof);
            Console.WriteLine($"request {id}: proof {fulfilled.ProofUri} verified locally: {verification}; proof inputs match my commitment: {inputsMatch}");
            Console.WriteLine($"request {id}: outputs [{string.Join(", ", outputs.Select(o => o.ToString("F4", CultureInfo.InvariantCulture)))}] -> class {SampleModel.ArgMax(outputs.Select(o => (float)o).ToArray())}");
            outcome["verified"] = verification.IsValid && inputsMatch;
            outcome["outputs"] = outputs;
            if (!verification.IsValid || !inputsMatch)
            {
                return 1;
            }
        }
        else
        {
            Console.WriteLine($"request {id}: refunded; credit withdrawn");
        }

        if (jsonPath is not null)
        {
            await File.WriteAllTextAsync(jsonPath, JsonSerializer.Serialize(outcome, SampleJson.Options), ct);
        }

        return 0;
    }

    private static async Task ClaimRefundAsync(ProofMarketClient market, BigInteger id, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var receipt = await market.RefundAsync(id, ct);
                var refunded = market.DecodeEvents(receipt).OfType<RequestRefundedEvent>().Single();
                Console.WriteLine($"request {id}: refund of {Eth(refunded.Amount)} ETH credited (tx {receipt.TransactionHash}, {receipt.GasUsed} gas)");
                var withdrawal = await market.WithdrawAsync(ct);
                Console.WriteLine($"request {id}: withdrawn (tx {withdrawal.TransactionHash})");
                return;
            }
            catch (ContractRevertException e) when (attempt < 10)
            {
                // The chain's clock may trail the wall clock by a block; try again shortly.
                Console.WriteLine($"request {id}: refund not yet possible ({e.ErrorName}); retrying");
                await Task.Delay(TimeSpan.FromSeconds(1), ct);
            }
        }
    }

    private static async Task<int> RunSummaryAsync(string host, CancellationToken ct)
    {
        using var http = new HttpClient { BaseAddress = new Uri(host) };
        var requests = await http.GetFromJsonAsync<JsonElement[]>("/api/requests", ct) ?? [];
        var audit = await http.GetFromJsonAsync<JsonElement>("/api/audit", ct);
        Console.WriteLine($"{"request",-8} {"status",-10} {"proof time",11} {"gas (lock+fulfil)",18} {"payout (ETH)",13} {"settled after",14}  outputs");
        foreach (var r in requests.OrderBy(r => BigInteger.Parse(r.GetProperty("requestId").GetString()!)))
        {
            var status = r.GetProperty("status").GetString()!;
            var proveMs = r.GetProperty("proveMs").ValueKind == JsonValueKind.Number ? $"{r.GetProperty("proveMs").GetInt64() / 1000.0:F1} s" : "-";
            var gas = r.GetProperty("gasUsed");
            long? Get(string name) => gas.GetProperty(name).ValueKind == JsonValueKind.Number ? gas.GetProperty(name).GetInt64() : null;
            var totalGas = Get("lock") + Get("fulfil") ?? Get("lock");
            var price = BigInteger.Parse(r.GetProperty("priceWei").GetString()!);
            var payout = status switch { "Fulfilled" => "provider " + Eth(price), "Refunded" => "refund " + Eth(price), _ => "-" };
            var created = r.GetProperty("createdAt").GetDateTimeOffset();
            var settled = r.GetProperty("settledAt").ValueKind == JsonValueKind.String ? $"{(r.GetProperty("settledAt").GetDateTimeOffset() - created).TotalSeconds:F0} s" : "-";
            var outputs = r.GetProperty("outputs").ValueKind == JsonValueKind.Array
                ? "[" + string.Join(", ", r.GetProperty("outputs").EnumerateArray().Select(o => o.GetDouble().ToString("F2", CultureInfo.InvariantCulture))) + "]"
                : r.GetProperty("error").GetString() ?? "";
            Console.WriteLine($"#{r.GetProperty("requestId").GetString(),-7} {status,-10} {proveMs,11} {totalGas?.ToString(CultureInfo.InvariantCulture) ?? "-",18} {payout,13} {settled,14}  {outputs}");
        }

        var provider = await http.GetFromJsonAsync<JsonElement>("/api/status", ct);
        var verifier = provider.TryGetProperty("verifierAddress", out var address) && address.ValueKind == JsonValueKind.String ? address.GetString() : "-";
        Console.WriteLine(provider.TryGetProperty("verification", out var mode) && mode.GetString() == "Halo2"
            ? $"verification: on chain, by the model's generated Halo2 verifier {verifier}: the market paid only after it accepted each proof"
            : $"verification: by the attestation committee (AttestationVerifier {verifier}): a quorum of verifier nodes checked each proof off chain and signed");
        Console.WriteLine($"audit trail: {(audit.GetProperty("valid").GetBoolean() ? "valid" : "BROKEN")}, {audit.GetProperty("entries").GetInt64()} entries, head {audit.GetProperty("head").GetString()}");
        return 0;
    }

    private static string Eth(BigInteger wei) => ((decimal)wei / 1_000_000_000_000_000_000m).ToString("0.####", CultureInfo.InvariantCulture);
}
