using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Zkml.Storage;
using Zkml.Storage.FileSystem;
using Zkml.Storage.S3;
using Zkml.TestSupport;

namespace Zkml.Benchmarks;

/// <summary>
/// Put and get throughput of 1 MB and 20 MB artifacts (hashing, CID, verified reads included) on the filesystem
/// store and on S3 (radosgw on loopback; the S3 cases need ZKML_TEST_S3_ENDPOINT/ACCESS_KEY/SECRET_KEY, which
/// <c>scripts/bench-storage.sh</c> sets by starting one). Throughput = size / mean.
/// </summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 2, iterationCount: 10)]
[MemoryDiagnoser]
public class StorageThroughputBenchmarks
{
    private IArtifactStore _store = null!;
    private byte[] _data = null!;
    private string _tempRoot = "";

    /// <summary>Object size in bytes.</summary>
    [Params(1_000_000, 20_000_000)]
    public int Size { get; set; }

    /// <summary>Which store.</summary>
    [Params("filesystem", "s3")]
    public string Backend { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        _data = new byte[Size];
        new Random(Size).NextBytes(_data);
        if (Backend == "s3")
        {
            // TestServices names the missing variable; scripts/bench-storage.sh starts radosgw and sets them.
            var store = new S3ArtifactStore(new S3ArtifactStoreOptions
            {
                ServiceUrl = new Uri(TestServices.S3Endpoint),
                AccessKey = TestServices.S3AccessKey,
                SecretKey = TestServices.S3SecretKey,
                BucketName = "zkml-bench-" + Guid.NewGuid().ToString("N")[..8],
            });
            store.CreateBucketIfNotExistsAsync().AsTask().GetAwaiter().GetResult();
            _store = store;
        }
        else
        {
            _tempRoot = Path.Combine(Path.GetTempPath(), "zkml-bench-" + Guid.NewGuid().ToString("N"));
            _store = new FileSystemArtifactStore(_tempRoot);
        }

        _store.PutAsync("bench/get", _data).AsTask().GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        (_store as IDisposable)?.Dispose();
        if (_tempRoot.Length > 0)
        {
            Directory.Delete(_tempRoot, recursive: true);
        }
    }

    /// <summary>Put: hash, CID, upload (multipart above 16 MiB on S3), atomic publish.</summary>
    [Benchmark]
    public async Task<ArtifactRef> Put() => await _store.PutAsync("bench/put", _data);

    /// <summary>Get: download and sha256 check before the bytes are handed out.</summary>
    [Benchmark]
    public async Task<byte[]> Get() => await _store.ReadAllBytesAsync("bench/get");
}
