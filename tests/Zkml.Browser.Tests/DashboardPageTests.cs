using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Zkml.Browser.Tests;

/// <summary>
/// The provider's dashboard in Debian's headless chromium against the real host: the history shows the proofs, a
/// request submitted from the form completes, the in-browser verify (the engine's web build) reports a real proof
/// valid and a tampered one invalid, the server-side verify agrees, and the audit trail's status is shown.
/// </summary>
[Collection(DashboardCollection.Name)]
public sealed class DashboardPageTests(DashboardFixture fixture, ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan s_verifyTimeout = TimeSpan.FromMinutes(2);
    private IPage _page = null!;

    public async Task InitializeAsync()
    {
        _page = await fixture.Browser.Context.NewPageAsync();
        _page.Console += (_, message) => output.WriteLine($"[browser {message.Type}] {message.Text}");
        _page.PageError += (_, error) => output.WriteLine($"[browser page error] {error}");
        await _page.GotoAsync(fixture.Host.BaseAddress.ToString());
        await Expect(_page.Locator("body[data-ready=true]")).ToHaveCountAsync(1);
    }

    public async Task DisposeAsync() => await _page.CloseAsync();

    [Fact]
    public async Task History_shows_the_fulfilled_proof_with_its_commitments_and_stored_proof()
    {
        var request = fixture.FulfilledRequest;
        var row = RequestRow(fixture.FulfilledRequestId);

        await Expect(row).ToHaveAttributeAsync("data-status", "Fulfilled");
        await Expect(row.Locator(".badge")).ToHaveTextAsync("Fulfilled");
        await Expect(row).ToContainTextAsync(fixture.Model.GetProperty("name").GetString()!);
        await Expect(row.Locator($"code.hex[title*='{request.GetProperty("inputCommitment").GetString()}']")).ToHaveCountAsync(1);
        await Expect(row.Locator($"code.hex[title*='{request.GetProperty("outputCommitment").GetString()}']")).ToHaveCountAsync(1);
        var proofUrl = request.GetProperty("proof").GetProperty("url").GetString()!;
        await Expect(row.GetByRole(AriaRole.Link, new() { Name = "proof", Exact = true })).ToHaveAttributeAsync("href", proofUrl);
        var fulfilTx = request.GetProperty("txs").GetProperty("fulfil").GetString()!;
        await Expect(row.Locator($"a.hex[title^='{fulfilTx}']")).ToHaveCountAsync(1);

        // The host's headers make the page cross-origin isolated, which the engine's shared memory needs.
        Assert.True(await _page.EvaluateAsync<bool>("() => crossOriginIsolated"));
        await ScreenshotAsync("history");
    }

    [Fact]
    public async Task Request_submitted_from_the_form_completes()
    {
        var input = fixture.SampleInput(seed: 2);
        await _page.Locator("#request-model").SelectOptionAsync(fixture.ModelId);
        await _page.Locator("#request-input").FillAsync(string.Join(", ", input.Select(v => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture))));
        await _page.Locator("#request-submit").ClickAsync();

        var message = _page.Locator("#request-message");
        await Expect(message).ToHaveAttributeAsync("data-request-id", new Regex(".+"),
            new() { Timeout = (float)TimeSpan.FromMinutes(1).TotalMilliseconds });
        var requestId = (await message.GetAttributeAsync("data-request-id"))!;
        output.WriteLine($"form submitted request {requestId}");

        // The page follows the request until it settles; the worker locks, proves and fulfils it on chain.
        await Expect(message).ToHaveAttributeAsync("data-status", new Regex("^(Fulfilled|Refunded|Failed)$"),
            new() { Timeout = (float)DashboardFixture.SettlementTimeout.TotalMilliseconds });
        await Expect(message).ToHaveTextAsync($"Request #{requestId}: Fulfilled");
        var row = RequestRow(requestId);
        await Expect(row).ToHaveAttributeAsync("data-status", "Fulfilled");

        var view = await fixture.Host.Http.GetFromJsonAsync<JsonElement>($"api/requests/{requestId}");
        Assert.Equal("Fulfilled", view.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Object, view.GetProperty("proof").ValueKind);
        await ScreenshotAsync("form-request-fulfilled");
    }

    [Fact]
    public async Task In_browser_verify_reports_the_stored_proof_valid()
    {
        var row = RequestRow(fixture.FulfilledRequestId);
        await row.Locator("[data-action=verify-browser]").ClickAsync();

        var verdict = row.Locator(".verdict[data-source=browser]");
        await Expect(verdict).ToHaveAttributeAsync("data-valid", new Regex("true|false|error"), new() { Timeout = (float)s_verifyTimeout.TotalMilliseconds });
        output.WriteLine($"browser verdict: {await verdict.InnerTextAsync()}");
        await Expect(verdict).ToHaveAttributeAsync("data-valid", "true");
        await Expect(_page.Locator("#engine-state")).ToContainTextAsync("single-threaded");
        await ScreenshotAsync("browser-verify-valid");
    }

    [Fact]
    public async Task In_browser_verify_reports_a_tampered_proof_invalid()
    {
        var proofUrl = fixture.FulfilledRequest.GetProperty("proof").GetProperty("url").GetString()!;
        var proof = await fixture.Host.Http.GetByteArrayAsync(proofUrl.TrimStart('/'));
        var folder = Directory.CreateTempSubdirectory("zkml-browser-proofs-").FullName;
        try
        {
            var genuine = Path.Combine(folder, "proof.json");
            var tampered = Path.Combine(folder, "tampered-proof.json");
            await File.WriteAllBytesAsync(genuine, proof);
            await File.WriteAllBytesAsync(tampered, ClaimDifferentOutput(proof));

            var result = _page.Locator("#upload-result");
            await _page.Locator("#upload-model").SelectOptionAsync(fixture.ModelId);

            // The genuine bytes pass through the same form, so the verdict below is about the tampering alone.
            await _page.Locator("#upload-file").SetInputFilesAsync(genuine);
            await _page.Locator("#upload-verify").ClickAsync();
            await Expect(result).ToHaveAttributeAsync("data-valid", new Regex("true|false|error"), new() { Timeout = (float)s_verifyTimeout.TotalMilliseconds });
            await Expect(result).ToHaveAttributeAsync("data-valid", "true");

            await _page.Locator("#upload-file").SetInputFilesAsync(tampered);
            await _page.Locator("#upload-verify").ClickAsync();
            await Expect(result).ToHaveAttributeAsync("data-valid", new Regex("true|false|error"), new() { Timeout = (float)s_verifyTimeout.TotalMilliseconds });
            output.WriteLine($"tampered verdict: {await result.InnerTextAsync()}");
            await Expect(result).ToHaveAttributeAsync("data-valid", "false");
            await Expect(result).ToContainTextAsync("invalid");
            await ScreenshotAsync("browser-verify-tampered");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task In_browser_verify_refuses_proof_bytes_that_do_not_match_their_stored_hash()
    {
        // Between storage and the browser someone swaps the proof: the page checks the bytes against the sha256 the
        // history lists before it hands them to the engine, and says so instead of showing a verdict.
        var proofUrl = fixture.FulfilledRequest.GetProperty("proof").GetProperty("url").GetString()!;
        var proof = await fixture.Host.Http.GetByteArrayAsync(proofUrl.TrimStart('/'));
        await _page.RouteAsync(new Uri(fixture.Host.BaseAddress, proofUrl).ToString(), route => route.FulfillAsync(new()
        {
            Status = 200,
            ContentType = "application/octet-stream",
            BodyBytes = ClaimDifferentOutput(proof),
        }));

        var row = RequestRow(fixture.FulfilledRequestId);
        await row.Locator("[data-action=verify-browser]").ClickAsync();

        var verdict = row.Locator(".verdict[data-source=browser]");
        await Expect(verdict).ToHaveAttributeAsync("data-valid", new Regex("true|false|error"), new() { Timeout = (float)s_verifyTimeout.TotalMilliseconds });
        output.WriteLine($"browser verdict on swapped bytes: {await verdict.InnerTextAsync()}");
        await Expect(verdict).ToHaveAttributeAsync("data-valid", "error");
        await Expect(verdict).ToContainTextAsync("do not match their sha256");
    }

    [Fact]
    public async Task Server_verify_reports_the_stored_proof_valid()
    {
        var row = RequestRow(fixture.FulfilledRequestId);
        await row.Locator("[data-action=verify-server]").ClickAsync();

        var verdict = row.Locator(".verdict[data-source=server]");
        await Expect(verdict).ToHaveAttributeAsync("data-valid", new Regex("true|false|error"), new() { Timeout = (float)s_verifyTimeout.TotalMilliseconds });
        output.WriteLine($"server verdict: {await verdict.InnerTextAsync()}");
        await Expect(verdict).ToHaveAttributeAsync("data-valid", "true");
    }

    [Fact]
    public async Task Transaction_link_shows_the_fulfil_receipt_from_the_chain()
    {
        var request = fixture.FulfilledRequest;
        var fulfilTx = request.GetProperty("txs").GetProperty("fulfil").GetString()!;
        var gasUsed = request.GetProperty("gasUsed").GetProperty("fulfil").GetInt64();

        await RequestRow(fixture.FulfilledRequestId).Locator($"a.hex[title^='{fulfilTx}']").ClickAsync();

        // The page reads the receipt from the chain's JSON-RPC (the URL /api/status gives), not from the host.
        var receipt = _page.Locator("#receipt dl.receipt");
        await Expect(receipt).ToBeVisibleAsync();
        await Expect(receipt).ToContainTextAsync("success");
        var gasText = await receipt.Locator("dt:text-is('gas used') + dd").InnerTextAsync();
        Assert.Equal(gasUsed, long.Parse(new string(gasText.Where(char.IsAsciiDigit).ToArray()), System.Globalization.CultureInfo.InvariantCulture));
        await ScreenshotAsync("transaction-receipt");
    }

    [Fact]
    public async Task Audit_status_shows_the_trail_intact()
    {
        var audit = await fixture.Host.Http.GetFromJsonAsync<JsonElement>("api/audit");
        Assert.True(audit.GetProperty("valid").GetBoolean(), $"the host's audit trail does not verify: {audit}");

        await Expect(_page.Locator("#audit")).ToHaveAttributeAsync("data-state", "valid");
        await Expect(_page.Locator("#audit-text")).ToContainTextAsync("intact");
    }

    private ILocator RequestRow(string requestId) => _page.Locator($"#requests tbody tr[data-request-id='{requestId}']");

    /// <summary>
    /// The proof file with its last public instance (a model output) changed: the same proof bytes now claim another
    /// output, which is what a dishonest provider would try. Only the low nibble of the field element's first byte
    /// changes, so the file stays well-formed and reaches the verifier.
    /// </summary>
    private static byte[] ClaimDifferentOutput(byte[] proof)
    {
        var json = JsonNode.Parse(proof)!.AsObject();
        var instances = json["instances"]![0]!.AsArray();
        var last = instances[^1]!.GetValue<string>();
        var changed = (last[0] == '0' ? '1' : '0') + last[1..];
        instances[^1] = changed;
        return JsonSerializer.SerializeToUtf8Bytes(json);
    }

    private async Task ScreenshotAsync(string name)
    {
        var path = Path.Combine(DashboardFixture.ScreenshotDirectory, $"{name}.png");
        await _page.ScreenshotAsync(new() { Path = path, FullPage = true });
        output.WriteLine($"screenshot: {path}");
    }
}
