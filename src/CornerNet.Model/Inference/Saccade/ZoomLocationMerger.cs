namespace CornerNet.Model.Inference.Saccade;

/// <summary>
/// Step 3 of the saccade test procedure (the authors' get_ref_locs and location_nms): confident detections of the
/// views become zoom locations too, then locations close to a better one at a similar scale are dropped.
/// </summary>
public static class ZoomLocationMerger
{
    /// <summary>get_ref_locs: every detection scoring above <paramref name="minScore"/> gives a location at its box centre,
    /// scaled so that its longer side becomes 192 (longer than 96 px), 64 (32-96 px) or 24 pixels (up to 32 px), with
    /// score 1. Computed in float32, as the authors' detection rows are.</summary>
    public static List<ZoomLocation> FromDetections(IEnumerable<CornerDetection> detections, float minScore)
    {
        ArgumentNullException.ThrowIfNull(detections);
        var locations = new List<ZoomLocation>();
        foreach (var d in detections)
        {
            if (!(d.Score > minScore)) continue;
            float x = (d.X1 + d.X2) / 2, y = (d.Y1 + d.Y2) / 2;
            float longer = MathF.Max(d.X2 - d.X1, d.Y2 - d.Y1);
            float scale = longer > 96 ? 192 / longer : longer > 32 ? 64 / longer : 24 / longer;
            locations.Add(new ZoomLocation(y, x, scale, 1));
        }

        return locations;
    }

    /// <summary>location_nms: visits the locations best score first (numpy's <c>argsort(score)[::-1]</c>, so equal
    /// scores in the reverse of the order numpy's sort leaves them: <see cref="NumpyArgsort"/>; for up to 17 locations
    /// that is reverse input order) and keeps one unless an already kept location lies closer than
    /// <c>distance / its scale</c> in y or in x (<c>min(|dy|, |dx|)</c>, strictly) at a scale ratio within [0.8, 1.2].</summary>
    public static List<ZoomLocation> Merge(IReadOnlyList<ZoomLocation> locations, double distance)
    {
        ArgumentNullException.ThrowIfNull(locations);
        var order = NumpyArgsort.Ascending([.. locations.Select(l => l.Score)]).Reverse().ToList();
        var kept = new List<ZoomLocation>();
        var alive = new bool[order.Count];
        Array.Fill(alive, true);
        for (int a = 0; a < order.Count; a++)
        {
            if (!alive[a]) continue;
            var best = locations[order[a]];
            kept.Add(best);
            double limit = distance / best.Scale;
            for (int b = a; b < order.Count; b++)
            {
                if (!alive[b]) continue;
                var other = locations[order[b]];
                double gap = Math.Min(Math.Abs(best.Y - other.Y), Math.Abs(best.X - other.X));
                double ratio = best.Scale / other.Scale;
                if (!(gap > limit || ratio > 1.2 || ratio < 0.8)) alive[b] = false;
            }
        }

        return kept;
    }
}
