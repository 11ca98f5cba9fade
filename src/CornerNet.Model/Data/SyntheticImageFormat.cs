namespace CornerNet.Model.Data;

/// <summary>File format of generated images.</summary>
public enum SyntheticImageFormat
{
    Png,
    Jpeg,
}
