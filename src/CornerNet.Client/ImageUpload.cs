namespace CornerNet.Client;

/// <summary>One image to send: its encoded bytes (JPEG, PNG, ...) and a file name for the multipart field.</summary>
public sealed record ImageUpload(ReadOnlyMemory<byte> Content, string FileName = "image")
{
    public static ImageUpload FromFile(string path) => new(File.ReadAllBytes(path), Path.GetFileName(path));
}
