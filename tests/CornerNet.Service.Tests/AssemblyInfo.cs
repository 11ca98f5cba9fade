// Hosts share Prometheus' process-wide registry and the two cores: one test class at a time keeps metric deltas
// and timings meaningful.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
