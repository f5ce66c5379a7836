namespace Zkml.Ezkl.Tests.Engine;

/// <summary>The instance pool: separate instances run calls side by side.</summary>
[Collection(EngineCollection.Name)]
public sealed class ConcurrencyTests(EngineFixture fixture)
{
    [Fact]
    public async Task Two_concurrent_proves_run_on_two_instances_and_both_verify()
    {
        using var engine = new EzklEngine(new EzklEngineOptions { MaxInstances = 2 });

        var first = engine.ProveAsync(fixture.Witness, fixture.ProvingKey, fixture.Circuit, fixture.Srs).AsTask();
        var second = engine.ProveAsync(fixture.Witness, fixture.ProvingKey, fixture.Circuit, fixture.Srs).AsTask();
        var proofs = await Task.WhenAll(first, second);

        Assert.Equal(2, engine.PoolStatistics.Created);
        Assert.NotEqual(proofs[0].ProofBytes.ToArray(), proofs[1].ProofBytes.ToArray());
        foreach (var proof in proofs)
        {
            var result = await engine.VerifyAsync(proof, fixture.VerifyingKey, fixture.Settings, fixture.Srs);
            Assert.True(result.IsValid, result.Reason);
        }
    }

    [Fact]
    public async Task More_calls_than_instances_wait_for_a_free_instance_and_all_succeed()
    {
        using var engine = new EzklEngine(new EzklEngineOptions { MaxInstances = 1 });

        var witnesses = await Task.WhenAll(Enumerable.Range(0, 4)
            .Select(_ => engine.GenerateWitnessAsync(fixture.Circuit, fixture.Input).AsTask()));

        Assert.Equal(1, engine.PoolStatistics.Created);
        Assert.All(witnesses, w => Assert.Equal(fixture.Witness.ToArray(), w.ToArray()));
    }

    [Fact]
    public async Task A_cancelled_token_stops_the_call_before_the_engine_runs()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            async () => await fixture.Engine.ProveAsync(fixture.Witness, fixture.ProvingKey, fixture.Circuit, fixture.Srs, cancellationToken: cts.Token));
    }

    [Fact]
    public async Task Cancelling_a_prove_while_the_engine_runs_it_stops_it_and_the_instance_is_replaced()
    {
        using var engine = new EzklEngine(new EzklEngineOptions { MaxInstances = 1 });
        await engine.WarmUpAsync();
        using var cts = new CancellationTokenSource();
        // Cancel 20 ms after the prove was handed to the engine (a prove of the fixture takes hundreds of ms).
        var progress = new InlineProgress(p =>
        {
            if (p.Stage == EzklStage.Proving)
            {
                cts.CancelAfter(TimeSpan.FromMilliseconds(20));
            }
        });

        var cancelled = await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
            await engine.ProveAsync(fixture.Witness, fixture.ProvingKey, fixture.Circuit, fixture.Srs, progress, cts.Token));

        Assert.Equal(cts.Token, cancelled.CancellationToken);
        Assert.Equal((1, 1), engine.PoolStatistics); // the instance stopped mid-call was discarded
        var proof = await engine.ProveAsync(fixture.Witness, fixture.ProvingKey, fixture.Circuit, fixture.Srs);
        Assert.True((await engine.VerifyAsync(proof, fixture.VerifyingKey, fixture.Settings, fixture.Srs)).IsValid);
        Assert.Equal((2, 1), engine.PoolStatistics);
    }

    /// <summary>Reports synchronously, on the caller's thread (Progress&lt;T&gt; would post to the thread pool).</summary>
    private sealed class InlineProgress(Action<EzklProgress> report) : IProgress<EzklProgress>
    {
        public void Report(EzklProgress value) => report(value);
    }
}

/// <summary>Per-instance memory limits: a call that needs more fails cleanly and the engine stays usable.</summary>
[Collection(EngineCollection.Name)]
public sealed class MemoryLimitTests(EngineFixture fixture)
{
    [Fact]
    public async Task A_prove_beyond_the_instance_memory_limit_fails_with_an_ezkl_exception_and_the_next_call_works()
    {
        using var engine = new EzklEngine(new EzklEngineOptions { MaxInstances = 1, MaxInstanceMemoryBytes = 4L << 20 });

        var error = await Assert.ThrowsAnyAsync<EzklEngineException>(
            async () => await engine.ProveAsync(fixture.Witness, fixture.ProvingKey, fixture.Circuit, fixture.Srs));
        var witness = await engine.GenerateWitnessAsync(fixture.Circuit, fixture.Input);

        Assert.Equal("prove", error.Operation);
        Assert.Equal(fixture.Witness.ToArray(), witness.ToArray());
    }
}
