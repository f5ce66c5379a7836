using Microsoft.Extensions.DependencyInjection;
using Zkml.Ezkl.Compilation;
using Zkml.TestSupport;

namespace Zkml.Ezkl.Tests.Compilation;

public sealed class CompilerServiceTests
{
    [Fact]
    public void AddEzklCompiler_registers_a_compiler_honouring_the_configured_accounting_mode()
    {
        using var provider = new ServiceCollection()
            .AddEzklCompiler(o => o.Accounting = AccountingMode.EzklDummy)
            .BuildServiceProvider();
        var compiler = provider.GetRequiredService<EzklCompiler>();
        var onnx = File.ReadAllBytes(TestPaths.Fixture("network.onnx"));
        var fixture = CircuitSettings.Load(TestPaths.Fixture("settings.json"));

        var settings = compiler.GenerateSettings(onnx, fixture.RunArgs);

        Assert.Same(compiler, provider.GetRequiredService<EzklCompiler>());
        Assert.Equal(288, settings.TotalAssignments); // ezkl's dummy count; the tight count is 224
    }

    [Fact]
    public async Task Settings_written_by_gen_settings_load_back_and_compile_to_what_the_engine_validates()
    {
        var onnx = TestModels.Mlp(3, 3, 4, 2);
        var compiler = new EzklCompiler();
        var settings = compiler.GenerateSettings(onnx, new RunArgs { Logrows = 10, DecompBase = 128 });
        var path = Path.Combine(Path.GetTempPath(), $"zkml-settings-{Guid.NewGuid():N}.json");
        try
        {
            await settings.SaveAsync(path);
            var reloaded = await CircuitSettings.LoadAsync(path);

            Assert.Equal(compiler.CompileCircuit(onnx, settings).ToArray(), compiler.CompileCircuit(onnx, reloaded).ToArray());
            Assert.Equal(10, reloaded.RunArgs.Logrows);
            Assert.Equal([[1L, 2L]], reloaded.ModelInstanceShapes);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
