namespace CornerNet.Model.Inference;

/// <summary>
/// Reproduces the order in which libtorch's CPU <c>topk(k, largest, sorted)</c> returns equal values. Its CPU
/// kernel ranks (value, index) pairs by value alone with the C++ standard library's heap and selection
/// algorithms, so ties come out in an order those algorithms (GNU libstdc++ on Linux) determine: for
/// k * 64 &lt;= n a k-element heap fed in index order and then heap-sorted, otherwise introselect for the k-th
/// element followed by introsort of the k - 1 before it. The algorithms here repeat those steps comparison for
/// comparison; NaN ranks above every number, as in libtorch.
/// </summary>
internal static class TorchCpuTopK
{
    private const int InsertionSortThreshold = 16;

    /// <summary>True when libtorch takes the streaming-heap path for k of n.</summary>
    public static bool UsesHeap(long k, long n) => k * 64 <= n;

    /// <summary>
    /// Ranks <paramref name="entries"/> in place as topk would: afterwards the first k are the result, in order.
    /// </summary>
    public static void Select(Span<ScoredIndex> entries, int k)
    {
        if (k <= 0) return;
        ArgumentOutOfRangeException.ThrowIfGreaterThan(k, entries.Length);
        if (UsesHeap(k, entries.Length))
        {
            var heap = entries[..k];
            MakeHeap(heap);
            for (int i = k; i < entries.Length; i++)
            {
                if (Before(entries[i], heap[0])) ReplaceTop(heap, entries[i]);
            }

            SortHeap(heap);
        }
        else
        {
            NthElement(entries, k - 1);
            Sort(entries[..(k - 1)]);
        }
    }

    /// <summary>The ranking relation: a comes before b.</summary>
    public static bool Before(in ScoredIndex a, in ScoredIndex b) =>
        (float.IsNaN(a.Score) && !float.IsNaN(b.Score)) || a.Score > b.Score;

    /// <summary>Builds the heap (the worst-ranked entry on top) as std::make_heap does.</summary>
    public static void MakeHeap(Span<ScoredIndex> heap)
    {
        int length = heap.Length;
        if (length < 2) return;
        for (int parent = (length - 2) / 2; ; parent--)
        {
            AdjustHeap(heap, parent, length, heap[parent]);
            if (parent == 0) return;
        }
    }

    /// <summary>Drops the top and sifts <paramref name="entry"/> down from the root (heap_select's step).</summary>
    public static void ReplaceTop(Span<ScoredIndex> heap, ScoredIndex entry) => AdjustHeap(heap, 0, heap.Length, entry);

    /// <summary>std::sort_heap: repeatedly moves the top behind the shrinking heap.</summary>
    public static void SortHeap(Span<ScoredIndex> heap)
    {
        for (int length = heap.Length - 1; length > 0; length--)
        {
            var moved = heap[length];
            heap[length] = heap[0];
            AdjustHeap(heap, 0, length, moved);
        }
    }

    /// <summary>Sift-down of a hole to a leaf along the preferred children, then sift-up of the value.</summary>
    private static void AdjustHeap(Span<ScoredIndex> heap, int hole, int length, ScoredIndex value)
    {
        int top = hole, child = hole;
        while (child < (length - 1) / 2)
        {
            child = 2 * (child + 1);
            if (Before(heap[child], heap[child - 1])) child--;
            heap[hole] = heap[child];
            hole = child;
        }

        if ((length & 1) == 0 && child == (length - 2) / 2)
        {
            child = 2 * (child + 1);
            heap[hole] = heap[child - 1];
            hole = child - 1;
        }

        PushHeap(heap, hole, top, value);
    }

    private static void PushHeap(Span<ScoredIndex> heap, int hole, int top, ScoredIndex value)
    {
        int parent = (hole - 1) / 2;
        while (hole > top && Before(heap[parent], value))
        {
            heap[hole] = heap[parent];
            hole = parent;
            parent = (hole - 1) / 2;
        }

        heap[hole] = value;
    }

    /// <summary>std::nth_element (introselect): entry nth ends in its sorted place, better ones before it.</summary>
    private static void NthElement(Span<ScoredIndex> entries, int nth)
    {
        if (entries.Length == 0 || nth == entries.Length) return;
        int first = 0, last = entries.Length, depthLimit = 2 * FloorLog2(entries.Length);
        while (last - first > 3)
        {
            if (depthLimit == 0)
            {
                HeapSelect(entries[first..last], nth + 1 - first);
                (entries[first], entries[nth]) = (entries[nth], entries[first]);
                return;
            }

            depthLimit--;
            int cut = first + PartitionAroundMedian(entries[first..last]);
            if (cut <= nth) first = cut;
            else last = cut;
        }

        InsertionSort(entries[first..last]);
    }

    /// <summary>std::sort (introsort with a final insertion sort).</summary>
    private static void Sort(Span<ScoredIndex> entries)
    {
        if (entries.Length == 0) return;
        IntrosortLoop(entries, 2 * FloorLog2(entries.Length));
        if (entries.Length > InsertionSortThreshold)
        {
            InsertionSort(entries[..InsertionSortThreshold]);
            for (int i = InsertionSortThreshold; i < entries.Length; i++) UnguardedLinearInsert(entries, i);
        }
        else
        {
            InsertionSort(entries);
        }
    }

    private static void IntrosortLoop(Span<ScoredIndex> entries, int depthLimit)
    {
        int last = entries.Length;
        while (last > InsertionSortThreshold)
        {
            var range = entries[..last];
            if (depthLimit == 0)
            {
                HeapSelect(range, range.Length);
                SortHeap(range);
                return;
            }

            depthLimit--;
            int cut = PartitionAroundMedian(range);
            IntrosortLoop(range[cut..], depthLimit);
            last = cut;
        }
    }

    /// <summary>The heap of the first <paramref name="middle"/> entries keeps the best of all (heap_select).</summary>
    private static void HeapSelect(Span<ScoredIndex> entries, int middle)
    {
        var heap = entries[..middle];
        MakeHeap(heap);
        for (int i = middle; i < entries.Length; i++)
        {
            if (Before(entries[i], heap[0]))
            {
                var value = entries[i];
                entries[i] = heap[0];
                AdjustHeap(heap, 0, middle, value);
            }
        }
    }

    /// <summary>Median of three moved to the front, then Hoare partition of the rest around it; returns the cut.</summary>
    private static int PartitionAroundMedian(Span<ScoredIndex> entries)
    {
        int last = entries.Length;
        MoveMedianToFirst(entries, 1, last / 2, last - 1);
        int left = 1, right = last;
        while (true)
        {
            while (Before(entries[left], entries[0])) left++;
            right--;
            while (Before(entries[0], entries[right])) right--;
            if (left >= right) return left;
            (entries[left], entries[right]) = (entries[right], entries[left]);
            left++;
        }
    }

    private static void MoveMedianToFirst(Span<ScoredIndex> entries, int a, int b, int c)
    {
        int median;
        if (Before(entries[a], entries[b]))
        {
            median = Before(entries[b], entries[c]) ? b : Before(entries[a], entries[c]) ? c : a;
        }
        else
        {
            median = Before(entries[a], entries[c]) ? a : Before(entries[b], entries[c]) ? c : b;
        }

        (entries[0], entries[median]) = (entries[median], entries[0]);
    }

    private static void InsertionSort(Span<ScoredIndex> entries)
    {
        for (int i = 1; i < entries.Length; i++)
        {
            if (Before(entries[i], entries[0]))
            {
                var value = entries[i];
                entries[..i].CopyTo(entries[1..]);
                entries[0] = value;
            }
            else
            {
                UnguardedLinearInsert(entries, i);
            }
        }
    }

    /// <summary>Moves entry i left past every entry it ranks before; an earlier entry stops it.</summary>
    private static void UnguardedLinearInsert(Span<ScoredIndex> entries, int i)
    {
        var value = entries[i];
        int next = i - 1;
        while (Before(value, entries[next]))
        {
            entries[i] = entries[next];
            i = next;
            next--;
        }

        entries[i] = value;
    }

    private static int FloorLog2(int n) => 31 - System.Numerics.BitOperations.LeadingZeroCount((uint)n);
}
