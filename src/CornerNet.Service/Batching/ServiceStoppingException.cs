namespace CornerNet.Service.Batching;

/// <summary>The service is shutting down and will not run this job.</summary>
public sealed class ServiceStoppingException() : Exception("The service is shutting down.");
