using CornerNet.Model.Data;
using CornerNet.Training.OfflineDetection;

namespace CornerNet.Training.Tests.OfflineDetection;

public class DetectionJournalTests
{
    private static BatchOutcome Batch(int number) => new(number,
    [
        new ImageOutcome(number * 2, number * 2 + 1, $"{number}a.png", [new DetectedObject(3, "triangle", new CocoBox(1.25, 2, 30.5, 4), 0.5123)], null),
        new ImageOutcome(number * 2 + 1, number * 2 + 2, $"{number}b.png", [], "The bytes are not an image in a known format."),
    ]);

    [Fact]
    public void Batches_written_before_a_reopen_are_read_back_as_written()
    {
        var path = Path.Combine(TrainingFixtures.NewFolder("journal"), "r.json.journal");
        using (var journal = DetectionJournal.Open(path, "f1"))
        {
            journal.Append(Batch(0));
            journal.Append(Batch(1));
        }

        using var reopened = DetectionJournal.Open(path, "f1");

        Assert.Equal([0, 1], reopened.Batches.Keys.Order());
        var image = reopened.Batches[1].Images[0];
        Assert.Equal(Batch(1).Images[0] with { Detections = [] }, image with { Detections = [] });
        Assert.Equal(Batch(1).Images[0].Detections, image.Detections);
        Assert.Equal("The bytes are not an image in a known format.", reopened.Batches[1].Images[1].Error);
    }

    [Fact]
    public void A_torn_last_line_from_a_killed_run_is_cut_off_and_its_batch_counts_as_not_done()
    {
        var path = Path.Combine(TrainingFixtures.NewFolder("journal-torn"), "r.json.journal");
        using (var journal = DetectionJournal.Open(path, "f1"))
        {
            journal.Append(Batch(0));
        }

        long whole = new FileInfo(path).Length;
        File.AppendAllText(path, """{"batch":1,"images":[{"index":2,"ima""");

        using (var reopened = DetectionJournal.Open(path, "f1"))
        {
            Assert.Equal([0], reopened.Batches.Keys);
            Assert.True(reopened.TruncatedBytes > 0);
            reopened.Append(Batch(1));
        }

        Assert.True(new FileInfo(path).Length > whole);
        using var again = DetectionJournal.Open(path, "f1");
        Assert.Equal([0, 1], again.Batches.Keys.Order());
        Assert.Equal(0, again.TruncatedBytes);
    }

    [Fact]
    public void A_journal_of_other_settings_is_refused_and_left_as_it_was()
    {
        var path = Path.Combine(TrainingFixtures.NewFolder("journal-other"), "r.json.journal");
        using (var journal = DetectionJournal.Open(path, "f1"))
        {
            journal.Append(Batch(0));
        }

        var before = File.ReadAllBytes(path);

        Assert.Throws<JournalMismatchException>(() => DetectionJournal.Open(path, "f2"));
        Assert.Equal(before, File.ReadAllBytes(path));
    }

    [Fact]
    public void A_journal_held_by_another_run_cannot_be_opened_but_can_be_read()
    {
        var path = Path.Combine(TrainingFixtures.NewFolder("journal-held"), "r.json.journal");
        using var first = DetectionJournal.Open(path, "f1");

        Assert.Contains("in use by another detect run", Assert.Throws<IOException>(() => DetectionJournal.Open(path, "f1")).Message);
        Assert.Single(File.ReadAllLines(path));
    }

    [Fact]
    public void A_batch_cannot_be_journaled_twice()
    {
        var path = Path.Combine(TrainingFixtures.NewFolder("journal-twice"), "r.json.journal");
        using var journal = DetectionJournal.Open(path, "f1");
        journal.Append(Batch(0));

        Assert.Throws<InvalidOperationException>(() => journal.Append(Batch(0)));
    }
}
