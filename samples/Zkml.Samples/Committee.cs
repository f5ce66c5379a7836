using System.Net.Http.Json;
using System.Text.Json;
using Zkml.Market;

namespace Zkml.Samples;

/// <summary>The verifier committee as a prover sees it: ask the members to attest a candidate.</summary>
public interface IAttestationCommittee
{
    /// <summary>Asks every member; returns the signatures of those that signed and the reasons of those that refused.</summary>
    Task<CommitteeAnswer> AttestAsync(AttestationRequest candidate, CancellationToken cancellationToken = default);
}

/// <summary>The committee's answers.</summary>
/// <param name="Signatures">Signatures of the members that signed.</param>
/// <param name="Refusals">Why the others refused.</param>
public sealed record CommitteeAnswer(IReadOnlyList<EthereumSignature> Signatures, IReadOnlyList<string> Refusals);

/// <summary>Members running in this process.</summary>
public sealed class InProcessCommittee(IReadOnlyList<VerifierNode> members) : IAttestationCommittee
{
    /// <inheritdoc />
    public async Task<CommitteeAnswer> AttestAsync(AttestationRequest candidate, CancellationToken cancellationToken = default)
    {
        var answers = new List<AttestationResponse>();
        foreach (var member in members)
        {
            answers.Add(await member.AttestAsync(candidate, cancellationToken).ConfigureAwait(false));
        }

        return Collect(answers);
    }

    internal static CommitteeAnswer Collect(IEnumerable<AttestationResponse> answers)
    {
        var signatures = new List<EthereumSignature>();
        var refusals = new List<string>();
        foreach (var answer in answers)
        {
            if (answer.Signature is { } signature)
            {
                signatures.Add(EthereumSignature.FromBytes(HexConverter.FromHex(signature)));
            }
            else
            {
                refusals.Add($"{answer.Signer}: {answer.Reason}");
            }
        }

        return new CommitteeAnswer(signatures, refusals);
    }
}

/// <summary>Members running as samples/Zkml.Verifier processes, asked over HTTP (POST {url}/attest).</summary>
public sealed class RemoteCommittee(IReadOnlyList<string> urls, HttpClient? httpClient = null) : IAttestationCommittee
{
    private readonly HttpClient _http = httpClient ?? new HttpClient { Timeout = TimeSpan.FromMinutes(2) };

    /// <inheritdoc />
    public async Task<CommitteeAnswer> AttestAsync(AttestationRequest candidate, CancellationToken cancellationToken = default)
    {
        var answers = await Task.WhenAll(urls.Select(async url =>
        {
            try
            {
                using var response = await _http.PostAsJsonAsync(url.TrimEnd('/') + "/attest", candidate, SampleJson.Options, cancellationToken).ConfigureAwait(false);
                response.EnsureSuccessStatusCode();
                return await response.Content.ReadFromJsonAsync<AttestationResponse>(SampleJson.Options, cancellationToken).ConfigureAwait(false)
                    ?? new AttestationResponse(url, null, "empty answer");
            }
            catch (Exception e) when (e is HttpRequestException or JsonException or TaskCanceledException)
            {
                return new AttestationResponse(url, null, "unreachable: " + e.Message);
            }
        })).ConfigureAwait(false);
        return InProcessCommittee.Collect(answers);
    }
}
