namespace CornerNet.Model.Inference.Saccade;

/// <summary>
/// The order numpy's default <c>argsort</c> leaves equal keys in (its portable introsort, npysort's aquicksort:
/// median-of-three quicksort down to partitions of 17, then insertion sort), which decides the order in which the
/// authors' location_nms visits locations of equal score. numpy 1.24 on an AVX-512 CPU runs a SIMD kernel instead,
/// whose order of equal keys differs (tests/fixtures/saccade/README.md). The heapsort fallback for deep recursion
/// (2 log2(n) levels) is not reproduced: this falls back to a stable insertion sort there.
/// </summary>
internal static class NumpyArgsort
{
    private const int SmallPartition = 16;

    /// <summary>The indices of <paramref name="keys"/> in ascending order, equal keys ordered as numpy orders them.</summary>
    public static int[] Ascending(IReadOnlyList<double> keys)
    {
        int n = keys.Count;
        var t = new int[n];
        for (int i = 0; i < n; i++) t[i] = i;
        if (n < 2) return t;
        var stack = new Stack<(int Left, int Right, int Depth)>();
        int pl = 0, pr = n - 1, depth = 2 * (int)Math.Log2(n);
        while (true)
        {
            while (pr - pl > SmallPartition && depth >= 0)
            {
                int pm = pl + ((pr - pl) >> 1);
                if (keys[t[pm]] < keys[t[pl]]) (t[pm], t[pl]) = (t[pl], t[pm]);
                if (keys[t[pr]] < keys[t[pm]]) (t[pr], t[pm]) = (t[pm], t[pr]);
                if (keys[t[pm]] < keys[t[pl]]) (t[pm], t[pl]) = (t[pl], t[pm]);
                double pivot = keys[t[pm]];
                int pi = pl, pj = pr - 1;
                (t[pm], t[pj]) = (t[pj], t[pm]);
                while (true)
                {
                    do pi++; while (keys[t[pi]] < pivot);
                    do pj--; while (pivot < keys[t[pj]]);
                    if (pi >= pj) break;
                    (t[pi], t[pj]) = (t[pj], t[pi]);
                }

                (t[pi], t[pr - 1]) = (t[pr - 1], t[pi]);
                depth--;
                if (pi - pl < pr - pi)
                {
                    stack.Push((pi + 1, pr, depth));
                    pr = pi - 1;
                }
                else
                {
                    stack.Push((pl, pi - 1, depth));
                    pl = pi + 1;
                }
            }

            for (int pi = pl + 1; pi <= pr; pi++)
            {
                int vi = t[pi], pj = pi;
                while (pj > pl && keys[vi] < keys[t[pj - 1]])
                {
                    t[pj] = t[pj - 1];
                    pj--;
                }

                t[pj] = vi;
            }

            if (stack.Count == 0) break;
            (pl, pr, depth) = stack.Pop();
        }

        return t;
    }
}
