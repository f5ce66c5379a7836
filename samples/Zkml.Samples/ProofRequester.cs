using System.Numerics;
using Zkml.Ezkl;
using Zkml.Market;
using Zkml.Storage;

namespace Zkml.Samples;

/// <summary>A request made by <see cref="ProofRequester"/>.</summary>
/// <param name="RequestId">The market's request id.</param>
/// <param name="TransactionHash">The paying transaction.</param>
/// <param name="Input">The stored input.</param>
/// <param name="InputCommitment">keccak256 of the input instances.</param>
/// <param name="Deadline">The deadline.</param>
public sealed record SubmittedRequest(BigInteger RequestId, string TransactionHash, ArtifactRef Input, byte[] InputCommitment, DateTimeOffset Deadline);

/// <summary>
/// The client side of a proof request: stores the input (ezkl's input.json form) in the shared artifact store,
/// commits to its quantized instances, and pays for a proof on the market.
/// </summary>
public sealed class ProofRequester(EzklEngine engine, IArtifactStore store, ProofMarketClient market)
{
    /// <summary>Stores the input and requests a proof of it.</summary>
    /// <param name="model">The model's artifacts (for its input scale).</param>
    /// <param name="input">The input values (one tensor, flattened).</param>
    /// <param name="deadlineIn">Time until the deadline, counted from the chain's clock (<see cref="ChainClock"/>).</param>
    /// <param name="payment">Wei to pay (at least the model's price).</param>
    /// <param name="commitTo">Commit to these values instead of <paramref name="input"/> (to make a request no honest prover can serve).</param>
    /// <param name="cancellationToken">Cancellation.</param>
    public async Task<SubmittedRequest> RequestAsync(
        ModelBundle model, IReadOnlyList<double> input, TimeSpan deadlineIn, BigInteger payment, IReadOnlyList<double>? commitTo = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(input);
        if (input.Count != model.InputCount)
        {
            throw new ArgumentException($"The model takes {model.InputCount} input values, not {input.Count}.", nameof(input));
        }

        var inputJson = ModelInput.FromValues([input]);
        var stored = await store.PutContentAddressedAsync(inputJson.Bytes, "inputs/", new ArtifactPutOptions { ContentType = "application/json" }, cancellationToken)
            .ConfigureAwait(false);
        var commitment = await model.InputCommitmentAsync(engine, commitTo ?? input, cancellationToken).ConfigureAwait(false);
        var deadline = await ChainClock.NowAsync(market.Rpc, cancellationToken).ConfigureAwait(false) + deadlineIn;
        var submission = await market.RequestProofAsync(HexConverter.FromHex(model.ModelId), commitment, StoreUri.For(stored.Key), deadline, payment, cancellationToken)
            .ConfigureAwait(false);
        return new SubmittedRequest(submission.RequestId, submission.Receipt.TransactionHash, stored, commitment, deadline);
    }
}
