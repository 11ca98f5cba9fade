using CornerNet.Training.OfflineDetection;

namespace CornerNet.Training.Tests.OfflineDetection;

public class ShardTests
{
    [Theory]
    [InlineData("0/1", 0, 1)]
    [InlineData("3/4", 3, 4)]
    public void A_shard_is_read_as_index_over_count(string text, int index, int count) =>
        Assert.Equal(new Shard(index, count), Shard.Parse(text));

    [Theory]
    [InlineData("4/4")]
    [InlineData("1/0")]
    [InlineData("-1/2")]
    [InlineData("1")]
    [InlineData("a/b")]
    [InlineData("1/2/3")]
    public void A_malformed_shard_is_refused_with_the_expected_form(string text) =>
        Assert.Contains("0 <= i < n", Assert.Throws<ArgumentException>(() => Shard.Parse(text)).Message);

    [Fact]
    public void The_shards_of_a_collection_hold_every_image_exactly_once()
    {
        var collection = Enumerable.Range(0, 23).Select(i => new ImageItem(i, i + 1, $"{i}.png", $"/x/{i}.png")).ToList();

        var shards = Enumerable.Range(0, 5).Select(i => new Shard(i, 5).Select(collection)).ToList();

        Assert.Equal(collection, shards.SelectMany(s => s).OrderBy(i => i.Index));
        Assert.All(shards, s => Assert.InRange(s.Count, 4, 5));
    }
}
