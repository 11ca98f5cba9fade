using System.Globalization;
using CornerNet.Model.Architecture;
using CornerNet.Model.Checkpoints;
using CornerNet.Model.Training;
using CornerNet.Training.Trainer;
using Xunit.Abstractions;

namespace CornerNet.Training.Tests.Trainer;

[Trait(TestCategories.Category, TestCategories.Slow)]
public class CornerNetTrainerTests(ITestOutputHelper output)
{
    [Fact]
    public void A_short_run_on_synthetic_shapes_lowers_the_loss_and_writes_its_outputs()
    {
        var folder = TrainingFixtures.NewFolder("loss-falls");
        var annotations = TrainingFixtures.Shapes(Path.Combine(folder, "data"), images: 4);
        var run = Path.Combine(folder, "run");
        var options = TrainingFixtures.Options(annotations, run, iterations: 20, augment: false) with { CheckpointInterval = 10, GradientClipNorm = 10 };

        var seen = new List<TrainingProgress>();
        var result = new CornerNetTrainer(options) { OnProgress = seen.Add }.Run();

        var totals = seen.Select(p => p.Total).ToList();
        output.WriteLine(string.Join(", ", totals.Select(t => t.ToString("F3", CultureInfo.InvariantCulture))));
        Assert.False(result.Interrupted);
        Assert.Equal(20, result.CompletedIterations);
        Assert.Equal(Enumerable.Range(1, 20), seen.Select(p => p.Iteration));
        Assert.All(totals, t => Assert.True(double.IsFinite(t)));
        Assert.True(totals.TakeLast(5).Average() < 0.7 * totals.Take(5).Average(), $"loss did not fall enough: {string.Join(", ", totals.Select(t => t.ToString("F3", CultureInfo.InvariantCulture)))}");

        Assert.True(File.Exists(Path.Combine(run, CornerNetTrainer.FinalWeightsFileName)));
        Assert.True(File.Exists(Path.Combine(run, "final.json")));
        Assert.Equal(20, LossLogEntry.ReadAll(Path.Combine(run, CornerNetTrainer.LossLogFileName)).Count);
        var checkpoints = new TrainingCheckpointStore(run).List();
        Assert.Equal([10, 20], checkpoints.Select(c => c.Iteration));
        using var reloaded = ModelCheckpoint.Load(Path.Combine(run, CornerNetTrainer.FinalWeightsFileName));
        Assert.Equal(TrainingFixtures.Micro.Name, reloaded.Spec.Name);
    }

    [Fact]
    public void A_short_squeeze_run_lowers_the_loss_and_saves_the_authors_squeeze_keys()
    {
        var folder = TrainingFixtures.NewFolder("squeeze");
        var annotations = TrainingFixtures.Shapes(Path.Combine(folder, "data"), images: 4);
        var run = Path.Combine(folder, "run");
        var options = TrainingFixtures.Options(annotations, run, iterations: 20, augment: false) with
        {
            Architecture = TrainingFixtures.MicroSqueeze,
            Augmentation = AugmentationOptions.FromSpec(TrainingFixtures.MicroSqueeze) with
            {
                RandomCrop = false, HorizontalFlip = false, ColorJitter = false, Lighting = false,
            },
            CheckpointInterval = 20,
            GradientClipNorm = 10,
        };

        var seen = new List<TrainingProgress>();
        var result = new CornerNetTrainer(options) { OnProgress = seen.Add }.Run();

        var totals = seen.Select(p => p.Total).ToList();
        output.WriteLine(string.Join(", ", totals.Select(t => t.ToString("F3", CultureInfo.InvariantCulture))));
        Assert.Equal(20, result.CompletedIterations);
        Assert.All(totals, t => Assert.True(double.IsFinite(t)));
        Assert.True(totals.TakeLast(5).Average() < 0.8 * totals.Take(5).Average(), $"loss did not fall enough: {string.Join(", ", totals.Select(t => t.ToString("F3", CultureInfo.InvariantCulture)))}");
        var final = Path.Combine(run, CornerNetTrainer.FinalWeightsFileName);
        using (var state = PyTorchCheckpointReader.Read(final))
        {
            Assert.All(state.Keys, k => Assert.StartsWith("module.", k));
            Assert.Contains("module.hg.hgs.0.up2.weight", state.Keys);
        }

        using var reloaded = ModelCheckpoint.Load(final);
        Assert.Equal(NetworkFamily.Squeeze, reloaded.Spec.Family);
    }

    [Fact]
    public void A_short_saccade_run_learns_corners_and_attention_and_saves_the_authors_saccade_keys()
    {
        var folder = TrainingFixtures.NewFolder("saccade");
        var annotations = TrainingFixtures.Shapes(Path.Combine(folder, "data"), images: 4);
        var run = Path.Combine(folder, "run");
        var spec = TrainingFixtures.MicroSaccade;
        var options = TrainingFixtures.Options(annotations, run, iterations: 20, augment: false) with
        {
            Architecture = spec,
            // The saccade sampler (reference scale, crop, flip) with the colour steps off.
            Augmentation = AugmentationOptions.FromSpec(spec) with { ColorJitter = false, Lighting = false },
            CheckpointInterval = 20,
            GradientClipNorm = 10,
        };

        var seen = new List<TrainingProgress>();
        var result = new CornerNetTrainer(options) { OnProgress = seen.Add }.Run();

        var totals = seen.Select(p => p.Total).ToList();
        var attention = seen.Select(p => p.Attention).ToList();
        output.WriteLine("total: " + string.Join(", ", totals.Select(t => t.ToString("F3", CultureInfo.InvariantCulture))));
        output.WriteLine("attention: " + string.Join(", ", attention.Select(t => t.ToString("F3", CultureInfo.InvariantCulture))));
        Assert.Equal(20, result.CompletedIterations);
        Assert.All(totals, t => Assert.True(double.IsFinite(t)));
        Assert.All(attention, a => Assert.True(a > 0 && a < totals.Max()));
        Assert.True(totals.TakeLast(5).Average() < 0.8 * totals.Take(5).Average(), $"loss did not fall enough: {string.Join(", ", totals.Select(t => t.ToString("F3", CultureInfo.InvariantCulture)))}");
        Assert.True(attention.TakeLast(5).Average() < attention.Take(5).Average(), "the attention loss did not fall");
        Assert.All(LossLogEntry.ReadAll(Path.Combine(run, CornerNetTrainer.LossLogFileName)), e => Assert.True(e.Attention > 0));
        var final = Path.Combine(run, CornerNetTrainer.FinalWeightsFileName);
        using (var state = PyTorchCheckpointReader.Read(final))
        {
            Assert.Contains("module.att_modules.1.2.1.bias", state.Keys);
        }

        using var reloaded = ModelCheckpoint.Load(final);
        Assert.Equal(NetworkFamily.Saccade, reloaded.Spec.Family);
    }

    [Fact]
    public void Resuming_from_a_checkpoint_gives_the_same_weights_as_an_uninterrupted_run()
    {
        var folder = TrainingFixtures.NewFolder("resume");
        var annotations = TrainingFixtures.Shapes(Path.Combine(folder, "data"), images: 5);

        // Both runs start from the same saved weights: tests in other classes draw from libtorch's global generator
        // in parallel, so seeding it would not pin the initialisation.
        var initial = Path.Combine(folder, "initial.pth");
        using (var network = new CornerNetNetwork(TrainingFixtures.Micro))
        {
            ModelCheckpoint.Save(network, initial);
        }

        // Augmentation on: the resumed run must also see the same crops, flips and colours.
        var straight = TrainingFixtures.Options(annotations, Path.Combine(folder, "straight"), iterations: 6) with { LearningRateStep = 4, InitialWeightsPath = initial };
        new CornerNetTrainer(straight).Run();

        var split = straight with { OutputDirectory = Path.Combine(folder, "split"), Iterations = 3 };
        new CornerNetTrainer(split).Run();
        var resumed = new CornerNetTrainer(split with { Iterations = 6, Resume = true }).Run();

        Assert.Equal(3, resumed.StartIteration);
        Assert.Equal(6, resumed.CompletedIterations);
        AssertSameWeights(Path.Combine(straight.OutputDirectory, "final.pth"), Path.Combine(split.OutputDirectory, "final.pth"));

        var straightLog = LossLogEntry.ReadAll(Path.Combine(straight.OutputDirectory, CornerNetTrainer.LossLogFileName));
        var splitLog = LossLogEntry.ReadAll(Path.Combine(split.OutputDirectory, CornerNetTrainer.LossLogFileName));
        Assert.Equal(straightLog.Select(e => (e.Iteration, e.Total, e.LearningRate)), splitLog.Select(e => (e.Iteration, e.Total, e.LearningRate)));
    }

    [Fact]
    public void Cancelling_writes_a_checkpoint_at_the_iteration_reached()
    {
        var folder = TrainingFixtures.NewFolder("cancel");
        var annotations = TrainingFixtures.Shapes(Path.Combine(folder, "data"), images: 3);
        var run = Path.Combine(folder, "run");
        using var stop = new CancellationTokenSource();
        var trainer = new CornerNetTrainer(TrainingFixtures.Options(annotations, run, iterations: 1000))
        {
            OnProgress = p =>
            {
                if (p.Iteration == 3) stop.Cancel();
            },
        };

        var result = trainer.Run(stop.Token);

        Assert.True(result.Interrupted);
        Assert.Equal(3, result.CompletedIterations);
        Assert.Equal(3, new TrainingCheckpointStore(run).Latest()!.Value.Iteration);
        Assert.False(File.Exists(Path.Combine(run, CornerNetTrainer.FinalWeightsFileName)));
    }

    [Fact]
    public void Only_the_newest_checkpoints_are_kept()
    {
        var folder = TrainingFixtures.NewFolder("keep");
        var annotations = TrainingFixtures.Shapes(Path.Combine(folder, "data"), images: 2);
        var run = Path.Combine(folder, "run");
        new CornerNetTrainer(TrainingFixtures.Options(annotations, run, iterations: 5) with { CheckpointInterval = 1, KeepLastCheckpoints = 2 }).Run();

        Assert.Equal([4, 5], new TrainingCheckpointStore(run).List().Select(c => c.Iteration));
        Assert.Empty(Directory.GetDirectories(Path.Combine(run, "checkpoints"), "*.tmp"));
    }

    [Fact]
    public void The_sample_order_visits_every_image_once_per_epoch_and_depends_only_on_seed_and_iteration()
    {
        var order = new TrainingSampleOrder(imageCount: 10, batchSize: 3, seed: 5);
        var firstEpoch = Enumerable.Range(0, 10).Select(p => order.ImageIndex(p / 3, p % 3)).ToList();
        Assert.Equal(Enumerable.Range(0, 10), firstEpoch.Order());

        var fresh = new TrainingSampleOrder(imageCount: 10, batchSize: 3, seed: 5);
        Assert.Equal(order.ImageIndex(7, 2), fresh.ImageIndex(7, 2));
        Assert.Equal(order.RandomFor(7, 2).Next(), fresh.RandomFor(7, 2).Next());
        Assert.NotEqual(order.RandomFor(7, 1).Next(), order.RandomFor(7, 2).Next());
    }

    private static void AssertSameWeights(string expectedPath, string actualPath)
    {
        using var expected = PyTorchCheckpointReader.Read(expectedPath);
        using var actual = PyTorchCheckpointReader.Read(actualPath);
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var key in expected.Keys)
        {
            Assert.True(expected[key].shape.SequenceEqual(actual[key].shape) && expected[key].allclose(actual[key], rtol: 0, atol: 0), $"{key} differs");
        }
    }
}
