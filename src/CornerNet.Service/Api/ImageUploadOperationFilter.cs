using System.Reflection;
using Microsoft.AspNetCore.Mvc;
using Microsoft.OpenApi.Models;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace CornerNet.Service.Api;

/// <summary>
/// Documents the upload actions: the multipart file field (so Swagger UI offers a file picker), the raw body for
/// single images, and the problem responses every upload can get.
/// </summary>
public sealed class ImageUploadOperationFilter : IOperationFilter
{
    private static readonly string[] RawImageTypes = ["image/jpeg", "image/png", "image/webp", "image/bmp", "application/octet-stream"];

    private static readonly (int Status, string Description)[] Problems =
    [
        (StatusCodes.Status400BadRequest, "No image, an empty, truncated or undecodable image, or an invalid query value."),
        (StatusCodes.Status413PayloadTooLarge, "The body is larger than Limits:MaxRequestBytes."),
        (StatusCodes.Status415UnsupportedMediaType, "The image format is not recognised or not enabled (Limits:ImageFormats)."),
        (StatusCodes.Status422UnprocessableEntity, "The image's dimensions exceed Limits:MaxPixels or Limits:MaxSide."),
        (StatusCodes.Status503ServiceUnavailable, "The queue is full or the model is still loading (see Retry-After)."),
        (StatusCodes.Status504GatewayTimeout, "The image was not processed within Batching:RequestTimeoutSeconds."),
    ];

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

        var problem = context.SchemaGenerator.GenerateSchema(typeof(ProblemDetails), context.SchemaRepository);
        foreach (var (status, description) in Problems)
        {
            operation.Responses[status.ToString()] = new OpenApiResponse
            {
                Description = description,
                Content = { ["application/problem+json"] = new OpenApiMediaType { Schema = problem } },
            };
        }
    }
}
