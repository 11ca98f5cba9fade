namespace CornerNet.Service.Batching;

/// <summary>The job waited longer than Batching:RequestTimeoutSeconds and was dropped before the model saw it.</summary>
public sealed class JobExpiredException() : Exception("The request waited too long in the queue and was dropped before inference.");
