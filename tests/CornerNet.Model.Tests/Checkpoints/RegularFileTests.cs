using CornerNet.Model.Architecture;
using CornerNet.Model.Checkpoints;

namespace CornerNet.Model.Tests.Checkpoints;

/// <summary>Operator-given paths that are not regular files are refused at once, saying what they are.</summary>
public sealed class RegularFileTests : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("cornernet-regular-file-");

    public void Dispose() => _folder.Delete(recursive: true);

    [Fact]
    public void Each_kind_of_path_is_told_apart_without_opening_it()
    {
        var file = Path.Combine(_folder.FullName, "weights.pth");
        File.WriteAllBytes(file, [1, 2, 3]);
        var link = Path.Combine(_folder.FullName, "link.pth");
        File.CreateSymbolicLink(link, file);
        var dangling = Path.Combine(_folder.FullName, "dangling.pth");
        File.CreateSymbolicLink(dangling, Path.Combine(_folder.FullName, "gone.pth"));

        Assert.Equal(RegularFile.Kind.Regular, RegularFile.KindOf(file));
        Assert.Equal(RegularFile.Kind.Regular, RegularFile.KindOf(link));
        Assert.Equal(RegularFile.Kind.Missing, RegularFile.KindOf(dangling));
        Assert.Equal(RegularFile.Kind.Missing, RegularFile.KindOf(Path.Combine(file, "under-a-file")));
        Assert.Equal(RegularFile.Kind.Directory, RegularFile.KindOf(_folder.FullName));
        Assert.Equal(RegularFile.Kind.Fifo, RegularFile.KindOf(MakeFifo()));
        Assert.Equal(RegularFile.Kind.CharacterDevice, RegularFile.KindOf("/dev/zero"));
    }

    [Fact]
    public async Task A_fifo_as_the_checkpoint_is_refused_at_once_instead_of_blocking_on_open()
    {
        var fifo = MakeFifo();

        // Opening a FIFO for reading blocks until a writer comes: run it on its own thread, so a regression fails
        // here instead of hanging the test run.
        var error = await Task.Run(() => Assert.ThrowsAny<IOException>(() => PyTorchCheckpointReader.Read(fifo)))
            .WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal($"Checkpoint '{fifo}' is a FIFO (named pipe), not a regular file.", error.Message);
    }

    [Fact]
    public void A_directory_or_a_device_as_the_checkpoint_is_refused_saying_what_it_is()
    {
        var directory = Assert.ThrowsAny<IOException>(() => PyTorchCheckpointReader.Read(_folder.FullName));
        Assert.Contains("is a directory", directory.Message, StringComparison.Ordinal);
        Assert.IsNotType<FileNotFoundException>(directory);

        var device = Assert.ThrowsAny<IOException>(() => PyTorchCheckpointReader.Read("/dev/zero"));
        Assert.Contains("is a character device", device.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_checkpoint_is_reported_as_missing()
    {
        var path = Path.Combine(_folder.FullName, "nothing.pth");
        var error = Assert.Throws<FileNotFoundException>(() => PyTorchCheckpointReader.Read(path));
        Assert.Equal($"Checkpoint '{path}' does not exist.", error.Message);
    }

    [Fact]
    public async Task An_architecture_path_that_is_a_fifo_or_a_directory_is_refused_saying_what_it_is()
    {
        var fifo = MakeFifo();
        var fifoError = await Task.Run(() => Assert.ThrowsAny<IOException>(() => ArchitectureSpec.Load(fifo)))
            .WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Contains("is a FIFO", fifoError.Message, StringComparison.Ordinal);

        var directory = Assert.ThrowsAny<IOException>(() => ArchitectureSpec.Load(_folder.FullName));
        Assert.Contains("is a directory", directory.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_architecture_file_that_is_not_json_is_refused_without_quoting_its_content()
    {
        var path = Path.Combine(_folder.FullName, "secret.json");
        File.WriteAllText(path, "root:$6$Zq9secret:19000:0:99999:7:::\n");

        var error = Assert.Throws<ArgumentException>(() => ArchitectureSpec.Load(path));

        Assert.Contains("is not valid architecture JSON at line 1", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("'r'", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("root", error.Message, StringComparison.Ordinal);
    }

    private string MakeFifo() => NamedPipeFile.Create(_folder.FullName, $"fifo-{Guid.NewGuid():N}");
}
