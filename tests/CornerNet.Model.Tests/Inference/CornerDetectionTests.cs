using CornerNet.Model.Inference;

namespace CornerNet.Model.Tests.Inference;

public sealed class CornerDetectionTests
{
    [Fact]
    public void Rows_of_the_authors_decode_layout_read_column_by_column()
    {
        float[] rows = [1, 2, 3, 4, 0.5f, 0.6f, 0.4f, 7, 5, 6, 7, 8, -1, 0.1f, 0.2f, 0];

        var boxes = CornerDetection.FromAuthorsRows(rows);

        Assert.Equal([new CornerDetection(1, 2, 3, 4, 0.5f, 0.6f, 0.4f, 7), new CornerDetection(5, 6, 7, 8, -1, 0.1f, 0.2f, 0)], boxes);
    }

    [Fact]
    public void A_partial_row_is_refused()
    {
        var error = Assert.Throws<ArgumentException>(() => CornerDetection.FromAuthorsRows(new float[CornerDetection.AuthorsColumns + 3]));
        Assert.Contains("not rows of 8", error.Message);
    }
}
