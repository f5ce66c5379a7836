namespace Zkml.TestSupport;

/// <summary>
/// Endpoints of the live services test.sh starts on 127.0.0.1 (the anvil dev chain and the radosgw S3 server).
/// Each is read from an environment variable test.sh exports; a test that needs a service that is not running
/// fails with a message naming the variable, never silently passes.
/// </summary>
public static class TestServices
{
    /// <summary>JSON-RPC URL of the anvil dev chain (ZKML_TEST_RPC_URL).</summary>
    public static string RpcUrl => Require("ZKML_TEST_RPC_URL");

    /// <summary>S3 endpoint of the radosgw server (ZKML_TEST_S3_ENDPOINT).</summary>
    public static string S3Endpoint => Require("ZKML_TEST_S3_ENDPOINT");

    /// <summary>S3 access key (ZKML_TEST_S3_ACCESS_KEY).</summary>
    public static string S3AccessKey => Require("ZKML_TEST_S3_ACCESS_KEY");

    /// <summary>S3 secret key (ZKML_TEST_S3_SECRET_KEY).</summary>
    public static string S3SecretKey => Require("ZKML_TEST_S3_SECRET_KEY");

    private static string Require(string name) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                $"{name} is not set: run the tests through ./test.sh, which starts the service and exports it.");
}
