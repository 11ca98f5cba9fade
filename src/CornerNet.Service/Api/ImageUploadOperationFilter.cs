using System.Reflection;
using Microsoft.OpenApi.Models;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace CornerNet.Service.Api;

/// <summary>Documents the multipart file field (so Swagger UI offers a file picker) and, for single images, the raw body.</summary>
public sealed class ImageUploadOperationFilter : IOperationFilter
{
    private static readonly string[] RawImageTypes = ["image/jpeg", "image/png", "image/webp", "image/bmp", "application/octet-stream"];

    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        var upload = context.MethodInfo.GetCustomAttribute<ImageUploadAttribute>();
        if (upload is null)
        {
            return;
        }

        var file = new OpenApiSchema { Type = "string", Format = "binary" };
        var field = upload.Multiple ? new OpenApiSchema { Type = "array", Items = file } : file;
        var body = new OpenApiRequestBody
        {
            Required = true,
            Content =
            {
                ["multipart/form-data"] = new OpenApiMediaType
                {
                    Schema = new OpenApiSchema
                    {
                        Type = "object",
                        Required = new HashSet<string> { upload.FieldName },
                        Properties = { [upload.FieldName] = field },
                    },
                },
            },
        };
        if (!upload.Multiple)
        {
            foreach (var type in RawImageTypes)
            {
                body.Content[type] = new OpenApiMediaType { Schema = new OpenApiSchema { Type = "string", Format = "binary" } };
            }
        }

        operation.RequestBody = body;
    }
}
