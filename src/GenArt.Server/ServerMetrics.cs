using System.Collections.Concurrent;
using System.Text;
using GenArt.Jobs;
using GenArt.Server.Metrics;

namespace GenArt.Server;

/// <summary>
/// The server's measurements, exposed in the Prometheus text format at /metrics: requests by method and status,
/// queue depth, coalesced batch sizes, step and job latency, images produced (a rate() of it is images/s).
/// </summary>
/// <remarks>Written in-project: no Prometheus client library is available to this build (docs/server.md).</remarks>
public sealed class ServerMetrics
{
    private static readonly double[] SecondsBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];
    private readonly ConcurrentDictionary<(string Method, string Code), long> _requests = new();
    private readonly Histogram _batchSizes = new("genart_batch_samples", "Samples per enqueued batch.", [1, 2, 3, 4, 6, 8, 12, 16, 32]);
    private readonly Histogram _workerBatches = new("genart_worker_batch_samples", "Samples per batch a worker started.", [1, 2, 3, 4, 6, 8, 12, 16, 32]);
    private readonly Histogram _steps = new("genart_step_seconds", "Duration of one denoising step of a batch.", SecondsBuckets);
    private readonly Histogram _jobs = new("genart_job_seconds", "Time from accepting a Generate call to its last event.", SecondsBuckets);
    private long _images;
    private int _maxBatch;

    /// <summary>Largest batch enqueued so far, in samples.</summary>
    public int MaxBatchSamples => Volatile.Read(ref _maxBatch);

    /// <summary>Images published by workers in this process.</summary>
    public long Images => Interlocked.Read(ref _images);

    /// <summary>Calls that ended with <paramref name="code"/>.</summary>
    public long Requests(string method, string code) => _requests.GetValueOrDefault((method, code));

    public void RequestFinished(string method, Rpc.StatusCode code) => _requests.AddOrUpdate((method, StatusName(code)), 1, (_, n) => n + 1);

    public void BatchEnqueued(int samples)
    {
        _batchSizes.Observe(samples);
        int seen;
        while ((seen = Volatile.Read(ref _maxBatch)) < samples && Interlocked.CompareExchange(ref _maxBatch, samples, seen) != seen) { }
    }

    public void WorkerBatchStarted(int samples) => _workerBatches.Observe(samples);

    public void StepCompleted(TimeSpan elapsed) => _steps.Observe(elapsed.TotalSeconds);

    public void JobFinished(TimeSpan elapsed) => _jobs.Observe(elapsed.TotalSeconds);

    public void ImagePublished() => Interlocked.Increment(ref _images);

    /// <summary>The exposition text, with the queue's depth read now.</summary>
    public async Task<string> RenderAsync(IJobQueue queue, CancellationToken cancellationToken = default)
    {
        var depth = await queue.QueueDepthAsync(cancellationToken).ConfigureAwait(false);
        var text = new StringBuilder();
        text.Append("# HELP genart_requests_total gRPC calls by method and final status.\n# TYPE genart_requests_total counter\n");
        foreach (var ((method, code), n) in _requests.OrderBy(p => p.Key))
            text.Append("genart_requests_total{method=\"").Append(method).Append("\",code=\"").Append(code).Append("\"} ").Append(n).Append('\n');
        text.Append("# HELP genart_queue_jobs Jobs waiting in the queue.\n# TYPE genart_queue_jobs gauge\n");
        text.Append("genart_queue_jobs{priority=\"interactive\"} ").Append(depth.InteractiveJobs).Append('\n');
        text.Append("genart_queue_jobs{priority=\"batch\"} ").Append(depth.BatchJobs).Append('\n');
        text.Append("# HELP genart_queue_claimed_entries Entries held by workers.\n# TYPE genart_queue_claimed_entries gauge\n");
        text.Append("genart_queue_claimed_entries ").Append(depth.ClaimedEntries).Append('\n');
        text.Append("# HELP genart_queue_dead_letters Entries on the dead-letter list.\n# TYPE genart_queue_dead_letters gauge\n");
        text.Append("genart_queue_dead_letters ").Append(depth.DeadLetters).Append('\n');
        text.Append("# HELP genart_images_total Images published; rate() gives images/s.\n# TYPE genart_images_total counter\n");
        text.Append("genart_images_total ").Append(Images).Append('\n');
        _batchSizes.Write(text);
        _workerBatches.Write(text);
        _steps.Write(text);
        _jobs.Write(text);
        return text.ToString();
    }

    /// <summary>gRPC's canonical upper-snake status names.</summary>
    public static string StatusName(Rpc.StatusCode code) => code switch
    {
        Rpc.StatusCode.OK => "OK",
        Rpc.StatusCode.InvalidArgument => "INVALID_ARGUMENT",
        Rpc.StatusCode.DeadlineExceeded => "DEADLINE_EXCEEDED",
        Rpc.StatusCode.NotFound => "NOT_FOUND",
        Rpc.StatusCode.AlreadyExists => "ALREADY_EXISTS",
        Rpc.StatusCode.PermissionDenied => "PERMISSION_DENIED",
        Rpc.StatusCode.ResourceExhausted => "RESOURCE_EXHAUSTED",
        Rpc.StatusCode.FailedPrecondition => "FAILED_PRECONDITION",
        Rpc.StatusCode.Unauthenticated => "UNAUTHENTICATED",
        Rpc.StatusCode.Unimplemented => "UNIMPLEMENTED",
        Rpc.StatusCode.Unavailable => "UNAVAILABLE",
        Rpc.StatusCode.Cancelled => "CANCELLED",
        _ => code.ToString().ToUpperInvariant(),
    };
}
