using Zkml.TestSupport;

namespace Zkml.Ezkl.Tests.Engine;

/// <summary>One engine shared by the engine tests (two instances, so concurrency tests really run in parallel).</summary>
public sealed class EngineFixture : IAsyncLifetime
{
    public EzklEngine Engine { get; private set; } = null!;

    public CompiledCircuit Circuit { get; } = CompiledCircuit.Load(TestPaths.Fixture("model.compiled"));

    public ModelInput Input { get; } = ModelInput.Load(TestPaths.Fixture("input.json"));

    public Srs Srs { get; } = Srs.Load(TestPaths.Fixture("kzg"));

    public CircuitSettings Settings { get; } = CircuitSettings.Load(TestPaths.Fixture("settings.json"));

    public VerifyingKey VerifyingKey { get; } = VerifyingKey.Load(TestPaths.Fixture("vk.key"));

    public ProvingKey ProvingKey { get; } = ProvingKey.Load(TestPaths.Fixture("pk.key"));

    public Witness Witness { get; } = Witness.Load(TestPaths.Fixture("witness.json"));

    public Proof Proof { get; } = Proof.Load(TestPaths.Fixture("proof.json"));

    public async Task InitializeAsync()
    {
        Engine = await EzklEngine.CreateAsync(new EzklEngineOptions { MaxInstances = 2 });
    }

    public Task DisposeAsync()
    {
        Engine.Dispose();
        return Task.CompletedTask;
    }
}

[CollectionDefinition(Name)]
public sealed class EngineCollection : ICollectionFixture<EngineFixture>
{
    public const string Name = "engine";
}
