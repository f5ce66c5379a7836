using System.Security.Cryptography;
using System.Text;

namespace Zkml.Storage.Tests.ContentAddressing;

public sealed class ContentIdTests
{
    [Theory]
    [InlineData("", "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku")]
    [InlineData("hello world", "bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e")]
    public void Compute_MatchesIpfsRawCidVectors(string text, string expected)
    {
        Assert.Equal(expected, ContentId.Compute(Encoding.UTF8.GetBytes(text)));
    }

    [Fact]
    public void TryGetSha256_ReturnsTheDigestTheCidWasMadeFrom()
    {
        var data = Encoding.UTF8.GetBytes("zkml");
        var cid = ContentId.Compute(data);

        Assert.True(ContentId.TryGetSha256(cid, out var digest));
        Assert.Equal(SHA256.HashData(data), digest);
        Assert.Equal(cid, ContentId.FromSha256Hex(ContentId.Sha256Hex(data)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("Qmabc")]
    [InlineData("bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi")] // dag-pb, not raw
    [InlineData("bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5")] // truncated
    [InlineData("bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5E")] // upper case
    public void TryGetSha256_RejectsAnythingButACidV1RawSha256(string text)
    {
        Assert.False(ContentId.TryGetSha256(text, out _));
    }
}
