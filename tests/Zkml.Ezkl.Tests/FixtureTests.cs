using Zkml.TestSupport;

namespace Zkml.Ezkl.Tests;

public sealed class FixtureTests
{
    [Fact]
    public void Reference_fixtures_are_found_beside_the_repository()
    {
        Assert.True(File.Exists(TestPaths.Fixture("network.onnx")), "expected " + TestPaths.Fixture("network.onnx"));
    }
}
