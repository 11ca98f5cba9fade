using System.Threading.Channels;
using CornerNet.Model.Training;

namespace CornerNet.Training.Trainer;

/// <summary>
/// Decodes, augments and encodes targets for upcoming iterations on one background thread (the machine has few cores
/// and libtorch wants the rest), handing finished batches over through a bounded channel.
/// </summary>
public sealed class TrainingBatchSource : IDisposable
{
    private readonly TrainingDataSet _data;
    private readonly ITrainingSampler _sampler;
    private readonly TrainingSampleOrder _order;
    private readonly int _batchSize;
    private readonly int _endIteration;
    private readonly Channel<PreparedBatch> _channel;
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _worker;

    public TrainingBatchSource(TrainingDataSet data, ITrainingSampler sampler, int batchSize, int seed,
        int startIteration, int endIteration, int capacity)
    {
        _data = data;
        _sampler = sampler;
        _batchSize = batchSize;
        _endIteration = endIteration;
        _order = new TrainingSampleOrder(data.Count, batchSize, seed);
        _channel = Channel.CreateBounded<PreparedBatch>(new BoundedChannelOptions(capacity) { SingleReader = true, SingleWriter = true });
        _worker = new Thread(() => Produce(startIteration)) { IsBackground = true, Name = "training-loader" };
        _worker.Start();
    }

    /// <summary>The next batch, in iteration order; rethrows a data error from the loader thread.</summary>
    public PreparedBatch Next(CancellationToken cancellationToken)
    {
        try
        {
            return _channel.Reader.ReadAsync(cancellationToken).AsTask().GetAwaiter().GetResult();
        }
        catch (ChannelClosedException e) when (e.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException).Throw();
            throw;
        }
    }

    /// <summary>Builds one iteration's batch on the calling thread (the loader uses it; tests may too).</summary>
    public PreparedBatch Prepare(int iteration)
    {
        var height = _sampler.InputHeight;
        var width = _sampler.InputWidth;
        var planeSize = 3 * height * width;
        var pixels = new float[_batchSize * planeSize];
        var targets = new ImageCornerTargets[_batchSize];
        for (var slot = 0; slot < _batchSize; slot++)
        {
            var index = _order.ImageIndex(iteration, slot);
            var image = _data.Images[index];
            var decoded = _data.Decode(index);
            var sample = _sampler.Sample(decoded.Pixels, decoded.Width, decoded.Height, image.Boxes, _order.RandomFor(iteration, slot));
            sample.Pixels.CopyTo(pixels, slot * planeSize);
            targets[slot] = sample.Targets;
        }

        return new PreparedBatch(iteration, pixels, height, width, targets);
    }

    private void Produce(int startIteration)
    {
        try
        {
            for (var iteration = startIteration; iteration < _endIteration && !_stop.IsCancellationRequested; iteration++)
            {
                var batch = Prepare(iteration);
                _channel.Writer.WriteAsync(batch, _stop.Token).AsTask().GetAwaiter().GetResult();
            }

            _channel.Writer.TryComplete();
        }
        catch (OperationCanceledException)
        {
            _channel.Writer.TryComplete();
        }
        catch (Exception e)
        {
            _channel.Writer.TryComplete(e);
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _worker.Join();
        _stop.Dispose();
    }
}
