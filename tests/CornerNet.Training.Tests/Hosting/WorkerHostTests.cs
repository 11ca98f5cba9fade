using System.Diagnostics;
using CornerNet.Training.Commands;
using CornerNet.Training.Hosting;
using CornerNet.Training.Trainer;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Options;

namespace CornerNet.Training.Tests.Hosting;

/// <summary>The worker's Generic Host, in-process: what it registers, how a verb's exit code and a stop request come out.</summary>
public class WorkerHostTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);

    [Fact]
    public void The_train_host_resolves_its_verb_its_settings_and_the_shutdown_timeout()
    {
        var verbOptions = new TrainVerbOptions { Training = TrainingFixtures.Options("annotations.json", "run", iterations: 5), LogEvery = 3 };

        using var host = WorkerHost.Build(new WorkerHostOptions { Verb = "train", ShutdownTimeout = TimeSpan.FromSeconds(42) }, s => s.AddTrainVerb(verbOptions));

        Assert.IsType<TrainVerb>(host.Services.GetRequiredService<IWorkerVerb>());
        Assert.Same(verbOptions, host.Services.GetRequiredService<IOptions<TrainVerbOptions>>().Value);
        Assert.Single(host.Services.GetServices<IHostedService>().OfType<WorkerVerbService>());
        Assert.Equal(TimeSpan.FromSeconds(42), host.Services.GetRequiredService<IOptions<HostOptions>>().Value.ShutdownTimeout);
        // Ctrl-C and SIGTERM reach the verb through the console lifetime, which must not print its status lines.
        Assert.IsType<ConsoleLifetime>(host.Services.GetRequiredService<IHostLifetime>());
        Assert.True(host.Services.GetRequiredService<IOptions<ConsoleLifetimeOptions>>().Value.SuppressStatusMessages);
    }

    [Fact]
    public void A_host_without_a_verb_fails_to_build()
    {
        var error = Assert.Throws<AggregateException>(() => WorkerHost.Build(new WorkerHostOptions { Verb = "none" }, _ => { }));
        Assert.Contains(nameof(IWorkerVerb), error.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    [InlineData(7)]
    public async Task The_verb_s_return_value_is_the_exit_code(int code)
    {
        Assert.Equal(code, await WorkerHost.RunVerbAsync(new WorkerHostOptions { Verb = "test" }, s => s.AddWorkerVerb(_ => code)));
    }

    [Fact]
    public async Task A_verb_that_throws_exits_with_code_1()
    {
        Assert.Equal(1, await WorkerHost.RunVerbAsync(new WorkerHostOptions { Verb = "test" }, s => s.AddWorkerVerb(_ => throw new InvalidOperationException("boom"))));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public async Task A_verb_still_running_at_the_shutdown_timeout_is_left_with_the_interrupted_code(int seconds)
    {
        var shutdownTimeout = TimeSpan.FromSeconds(seconds);
        using var release = new ManualResetEventSlim();
        using var started = new ManualResetEventSlim();
        using var host = WorkerHost.Build(new WorkerHostOptions { Verb = "stubborn", ShutdownTimeout = shutdownTimeout }, s => s.AddWorkerVerb(_ =>
        {
            started.Set();
            release.Wait(Timeout, CancellationToken.None);
            return 0;
        }));
        var run = WorkerHost.RunAsync(host);
        Assert.True(started.Wait(Timeout));

        var watch = Stopwatch.StartNew();
        host.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication();
        var code = await run.WaitAsync(Timeout);
        release.Set();

        Assert.Equal(WorkerHost.InterruptedExitCode, code);
        Assert.True(WorkerHost.HasAbandonedWork);
        Assert.InRange(watch.Elapsed, shutdownTimeout - TimeSpan.FromMilliseconds(100), shutdownTimeout + TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_stop_request_through_the_host_makes_training_write_a_checkpoint_and_exit_interrupted()
    {
        var folder = TrainingFixtures.NewFolder("host-stop");
        var annotations = TrainingFixtures.Shapes(Path.Combine(folder, "data"), images: 3);
        var run = Path.Combine(folder, "run");
        var training = TrainingFixtures.Options(annotations, run, iterations: 100_000) with { CheckpointInterval = 1_000, Threads = 1 };
        using var host = WorkerHost.Build(
            new WorkerHostOptions { Verb = "train", ShutdownTimeout = Timeout },
            s => s.AddTrainVerb(new TrainVerbOptions { Training = training, LogEvery = 1_000 }));

        var running = WorkerHost.RunAsync(host);
        var log = Path.Combine(run, CornerNetTrainer.LossLogFileName);
        var deadline = DateTime.UtcNow + Timeout;
        while (!File.Exists(log) || LossLogEntry.ReadAll(log).Count < 2)
        {
            Assert.True(DateTime.UtcNow < deadline, "training did not start");
            Assert.False(running.IsCompleted, "the host stopped before training started");
            await Task.Delay(50);
        }

        host.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication();
        var code = await running.WaitAsync(Timeout);

        Assert.Equal(TrainCommand.InterruptedExitCode, code);
        var latest = new TrainingCheckpointStore(run).Latest();
        Assert.NotNull(latest);
        Assert.True(latest.Value.Iteration >= 2, $"checkpoint at iteration {latest.Value.Iteration}");
        Assert.False(File.Exists(Path.Combine(run, CornerNetTrainer.FinalWeightsFileName)));
    }

    [Fact]
    public async Task A_cheap_verb_runs_through_the_host_from_the_command_line()
    {
        Assert.Equal(2, await WorkerCommandLine.RunAsync(["describe", "--arch", "/nonexistent/arch.json"]));
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("86401")]
    public async Task A_shutdown_timeout_out_of_range_exits_with_code_2(string seconds)
    {
        var folder = TrainingFixtures.NewFolder("host-timeout");
        var code = await WorkerCommandLine.RunAsync(
            ["train", "--annotations", Path.Combine(folder, "annotations.json"), "--out", Path.Combine(folder, "run"), "--shutdown-timeout", seconds]);

        Assert.Equal(2, code);
        Assert.False(Directory.Exists(Path.Combine(folder, "run")));
    }

    [Fact]
    public async Task The_config_file_s_shutdown_timeout_is_checked_too()
    {
        var folder = TrainingFixtures.NewFolder("host-timeout-config");
        var config = Path.Combine(folder, "train.json");
        File.WriteAllText(config, """{"annotations": "annotations.json", "output": "run", "shutdownTimeoutSeconds": -5}""");

        Assert.Equal(2, await WorkerCommandLine.RunAsync(["train", "--config", config]));
    }

    [Fact]
    public void The_shutdown_timeout_defaults_to_five_minutes_and_may_be_zero()
    {
        Assert.Equal(TimeSpan.FromMinutes(5), TrainCommand.ShutdownTimeout(null));
        Assert.Equal(TimeSpan.Zero, TrainCommand.ShutdownTimeout(0));
        Assert.Equal(TimeSpan.FromSeconds(90), TrainCommand.ShutdownTimeout(90));
    }
}
