namespace CornerNet.Model.Inference.Saccade;

/// <summary>
/// Where CornerNet-Saccade looks next: a centre in image pixels, the scale the crop around it is resized by (a crop
/// is <c>255 / Scale</c> pixels on a side for a 255x255 network input) and how sure the step that proposed it was
/// (an attention value, or 1 for a location taken from a confident detection). Double precision, as the authors'
/// numpy arrays hold them; values that start as float32 (view scales, detection centres) carry their float32 value.
/// </summary>
public readonly record struct ZoomLocation(double Y, double X, double Scale, double Score);
