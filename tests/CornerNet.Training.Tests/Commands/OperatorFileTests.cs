namespace CornerNet.Training.Tests.Commands;

/// <summary>
/// The worker's verbs given a FIFO, a directory or a device where a file belongs: one clear line and a failing exit
/// code at once (opening a FIFO for reading blocked until a writer came), through the real worker process.
/// </summary>
[Trait(TestCategories.Category, TestCategories.Slow)]
public sealed class OperatorFileTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("cornernet-worker-files-");

    public void Dispose() => _folder.Delete(recursive: true);

    [Fact]
    public void Convert_refuses_a_fifo_as_its_checkpoint_saying_what_it_is()
    {
        var fifo = NamedPipeFile.Create(_folder.FullName, "authors.pkl");

        var (code, _, error) = TrainingWorkerProcess.Run(Timeout, "convert", "--in", fifo, "--arch", "tiny", "--out", Path.Combine(_folder.FullName, "out.pth"));

        Assert.Equal(1, code);
        Assert.Equal($"convert: The checkpoint '{fifo}' is a FIFO (named pipe), not a regular file.", error.Trim());
    }

    [Fact]
    public void Describe_refuses_a_directory_as_its_architecture_file_saying_what_it_is()
    {
        var (code, _, error) = TrainingWorkerProcess.Run(Timeout, "describe", "--arch", _folder.FullName);

        Assert.Equal(2, code);
        Assert.Equal($"describe: Architecture file '{_folder.FullName}' is a directory, not a regular file.", error.Trim());
    }

    [Fact]
    public void Evaluate_refuses_a_device_as_its_weights_saying_what_it_is()
    {
        var annotations = Path.Combine(_folder.FullName, "annotations.json");
        File.WriteAllText(annotations, "{}");

        var (code, _, error) = TrainingWorkerProcess.Run(Timeout, "evaluate", "--weights", "/dev/zero", "--data", annotations);

        Assert.Equal(1, code);
        Assert.Equal("evaluate: The weights file '/dev/zero' is a character device, not a regular file.", error.Trim());
    }
}
