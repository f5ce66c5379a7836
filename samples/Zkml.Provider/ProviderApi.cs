using System.Diagnostics;
using System.Numerics;
using Zkml.Ezkl;
using Zkml.Market;
using Zkml.Samples;
using Zkml.Storage;

namespace Zkml.Provider;

/// <summary>An artifact as the API shows it.</summary>
public sealed record ArtifactView(string Key, string Sha256, string Cid, long Size, string Url)
{
    /// <summary>The view of a stored artifact.</summary>
    public static ArtifactView Of(ArtifactRef a) => new(a.Key, a.Sha256, a.Cid, a.Size, "/api/artifacts/" + a.Sha256);
}

/// <summary>GET /api/status.</summary>
public sealed record StatusView(
    long ChainId, string MarketAddress, string ProviderAddress, string RpcUrl, string Storage, int ModelCount, int PendingCount, string Verification, string? VerifierAddress);

/// <summary>GET /api/models item.</summary>
public sealed record ModelView(
    string ModelId, string Name, string Verifier, string PriceWei, int InputInstanceCount, int Logrows, IReadOnlyDictionary<string, ArtifactView> Artifacts);

/// <summary>A proof link.</summary>
public sealed record ProofLink(string Sha256, string Url);

/// <summary>GET /api/requests item.</summary>
public sealed record RequestView(
    string RequestId, string ModelId, string Requester, string Status, string PriceWei, string InputCommitment, string? OutputCommitment,
    string InputUri, string? ProofUri, ProofLink? Proof, IReadOnlyList<double>? Outputs, RequestTransactions Txs, RequestGas GasUsed,
    long? ProveMs, DateTimeOffset CreatedAt, DateTimeOffset? SettledAt, bool? Verified, DateTimeOffset Deadline, string? Error)
{
    /// <summary>The view of a record.</summary>
    public static RequestView Of(RequestRecord r) => new(
        r.RequestId, r.ModelId, r.Requester, r.Status.ToString(), r.PriceWei, r.InputCommitment, r.OutputCommitment, r.InputUri, r.ProofUri,
        r.Proof is null ? null : new ProofLink(r.Proof.Sha256, "/api/artifacts/" + r.Proof.Sha256), r.Outputs, r.Txs, r.GasUsed, r.ProveMs,
        r.CreatedAt, r.SettledAt, r.Verified, r.Deadline, r.Error);
}

/// <summary>POST /api/requests body.</summary>
public sealed record NewRequest(string? ModelId, double[][]? Input, int? DeadlineSeconds);

/// <summary>POST /api/requests answer.</summary>
public sealed record AcceptedRequest(string RequestId, string Tx);

/// <summary>POST /api/requests/{id}/verify answer.</summary>
public sealed record VerifyView(bool Valid, string? Reason, long ElapsedMs);

/// <summary>GET /api/audit.</summary>
public sealed record AuditView(bool Valid, long Entries, long? FirstBrokenIndex, string? Reason, string Head);

/// <summary>The REST API behind the dashboard (documented in README.md beside this file).</summary>
public static class ProviderApi
{
    /// <summary>Maps /api/*.</summary>
    public static void MapProviderApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api");

        api.MapGet("/status", async (ProviderRuntime rt, CancellationToken ct) =>
        {
            var pending = 0;
            await foreach (var r in rt.Requests.ListAsync(ct))
            {
                pending += r.Status is RequestStatus.Requested or RequestStatus.Locked or RequestStatus.Proving ? 1 : 0;
            }

            return new StatusView(rt.Deployment.ChainId, rt.Deployment.MarketAddress, rt.ProviderSender.Address.ToString(), rt.Options.RpcUrl,
                rt.Options.Storage.IsS3 ? "s3" : "filesystem", rt.Model is null ? 0 : 1, pending, rt.Deployment.Verification.ToString(), rt.Deployment.VerifierAddress);
        });

        api.MapGet("/models", (ProviderRuntime rt) =>
        {
            if (rt.Model is not { } m || rt.ModelInfo is not { } info)
            {
                return Array.Empty<ModelView>();
            }

            var artifacts = m.Commitment.Artifacts.Where(a => a.Key != ModelBundle.Pk).ToDictionary(a => a.Key, a => ArtifactView.Of(a.Value));
            return [new ModelView(m.ModelId, $"sample-mlp-{SampleModel.Features}-{SampleModel.Hidden}-{SampleModel.Classes}", info.Verifier.ToString(),
                info.Price.ToString(), info.InputInstanceCount, m.CircuitSettings.RunArgs.Logrows, artifacts)];
        });

        api.MapGet("/artifacts/{sha256}", async (string sha256, ProviderRuntime rt, CancellationToken ct) =>
        {
            if (await rt.FindArtifactAsync(sha256, ct) is not { } key)
            {
                return Results.NotFound(new { error = $"no stored artifact with sha256 {sha256}" });
            }

            try
            {
                var bytes = await rt.Store.ReadAllBytesAsync(key, ct); // checked against its sha256 before it is returned
                return Results.File(bytes, "application/octet-stream", Path.GetFileName(key));
            }
            catch (ArtifactIntegrityException e)
            {
                return Results.Problem(e.Message, statusCode: 500);
            }
        });

        api.MapGet("/requests", async (ProviderRuntime rt, CancellationToken ct) =>
        {
            var all = new List<RequestRecord>();
            await foreach (var r in rt.Requests.ListAsync(ct))
            {
                all.Add(r);
            }

            return all.OrderByDescending(r => BigInteger.Parse(r.RequestId)).Select(RequestView.Of).ToList();
        });

        api.MapGet("/requests/{id}", async (string id, ProviderRuntime rt, CancellationToken ct) =>
            ValidId(id) && await rt.Requests.GetAsync(id, ct) is { } r ? Results.Ok(RequestView.Of(r)) : Results.NotFound(new { error = $"unknown request {id}" }));

        api.MapPost("/requests", async (NewRequest body, ProviderRuntime rt, CancellationToken ct) =>
        {
            if (rt.Model is not { } model)
            {
                return Results.Problem("the model is not onboarded yet", statusCode: 503);
            }

            if (body.ModelId is { } modelId && !string.Equals(modelId, model.ModelId, StringComparison.OrdinalIgnoreCase))
            {
                return Results.BadRequest(new { error = $"unknown model {modelId}" });
            }

            var values = body.Input?.SelectMany(v => v).ToArray();
            if (values is null || values.Length != model.InputCount || values.Any(v => !double.IsFinite(v)))
            {
                return Results.BadRequest(new { error = $"input must be [[{model.InputCount} numbers]]" });
            }

            var deadline = TimeSpan.FromSeconds(Math.Clamp(body.DeadlineSeconds ?? 600, 5, 86_400));
            var requester = new ProofRequester(rt.Engine, rt.Store, rt.ClientMarket);
            var submitted = await requester.RequestAsync(model, values, deadline, rt.ModelInfo!.Price, cancellationToken: ct);
            return Results.Accepted($"/api/requests/{submitted.RequestId}", new AcceptedRequest(submitted.RequestId.ToString(), submitted.TransactionHash));
        });

        api.MapPost("/requests/{id}/verify", async (string id, ProviderRuntime rt, CancellationToken ct) =>
        {
            if (!ValidId(id) || await rt.Requests.GetAsync(id, ct) is not { } record)
            {
                return Results.NotFound(new { error = $"unknown request {id}" });
            }

            if (record.Proof is null || rt.Model is not { } model)
            {
                return Results.Ok(new VerifyView(false, "no proof stored for this request", 0));
            }

            var clock = Stopwatch.StartNew();
            VerificationResult result;
            try
            {
                var proof = Proof.FromBytes(await rt.Store.ReadAllBytesAsync(record.Proof.Key, ct));
                result = await rt.Engine.VerifyAsync(proof, model.VerifyingKey, model.CircuitSettings, model.Srs, ct);
            }
            catch (Exception e) when (e is StorageException or EzklException)
            {
                result = VerificationResult.Invalid(e.Message);
            }

            var elapsed = clock.ElapsedMilliseconds;
            await rt.Requests.UpdateAsync(id, r => Task.FromResult<RequestRecord?>(r with { Verified = result.IsValid }), cancellationToken: ct);
            return Results.Ok(new VerifyView(result.IsValid, result.Reason, elapsed));
        });

        api.MapGet("/audit", async (ProviderRuntime rt, CancellationToken ct) =>
        {
            var check = await rt.Records.AuditTrail.VerifyAsync(cancellationToken: ct);
            return new AuditView(check.IsValid, check.EntryCount, check.FirstViolation?.Sequence, check.FirstViolation?.Message, "0x" + check.HeadHash);
        });
    }

    private static bool ValidId(string id) => id.Length is > 0 and < 78 && id.All(char.IsAsciiDigit);
}
