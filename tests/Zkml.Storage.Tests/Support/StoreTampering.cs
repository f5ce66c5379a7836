using Amazon.S3.Model;
using Zkml.Storage.FileSystem;
using Zkml.Storage.S3;

namespace Zkml.Storage.Tests.Support;

/// <summary>Changes stored bytes behind a store's back, keeping the digest the store recorded for them.</summary>
internal static class StoreTampering
{
    public static async Task ReplaceContentAsync(IArtifactStore store, string key, byte[] replacement)
    {
        switch (store)
        {
            case FileSystemArtifactStore fs:
            {
                // Rewrite the file as content + the original trailer, as an editor that knows the format would.
                var path = fs.GetPath(key);
                var original = await File.ReadAllBytesAsync(path);
                var size = (await store.HeadAsync(key))!.Ref.Size;
                await File.WriteAllBytesAsync(path, [.. replacement, .. original.AsSpan((int)size).ToArray()]);
                break;
            }

            case S3ArtifactStore s3:
            {
                using var client = S3TestStores.RawClient(s3.BucketName);
                var head = await client.GetObjectMetadataAsync(s3.BucketName, key);
                var put = new PutObjectRequest
                {
                    BucketName = s3.BucketName,
                    Key = key,
                    InputStream = new MemoryStream(replacement),
                    UseChunkEncoding = false,
                };
                foreach (var name in head.Metadata.Keys)
                {
                    put.Metadata.Add(name, head.Metadata[name]);
                }

                await client.PutObjectAsync(put);
                break;
            }

            default:
                throw new NotSupportedException(store.GetType().Name);
        }
    }
}
