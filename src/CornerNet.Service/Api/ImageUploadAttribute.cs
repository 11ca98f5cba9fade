namespace CornerNet.Service.Api;

/// <summary>Marks an action that reads its image(s) from the request itself, so the OpenAPI document can describe
/// the upload (see <see cref="ImageUploadOperationFilter"/>).</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ImageUploadAttribute(string fieldName, bool multiple) : Attribute
{
    public string FieldName { get; } = fieldName;

    public bool Multiple { get; } = multiple;
}
