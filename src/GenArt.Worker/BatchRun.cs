using System.Diagnostics;
using GenArt.Diffusion.Pipelines;
using GenArt.Imaging;
using GenArt.Jobs;
using Microsoft.Extensions.Logging;
using DiffusionMode = GenArt.Diffusion.Pipelines.GenerationMode;

namespace GenArt.Worker;

/// <summary>One claimed entry, run to its end on the worker thread: every job gets its events and one terminal event.</summary>
internal sealed partial class BatchRun
{
    private readonly IJobQueue _queue;
    private readonly ModelCache _models;
    private readonly WorkerOptions _options;
    private readonly ILogger _logger;
    private readonly Claim _claim;
    private readonly CancellationToken _stopping;
    private readonly ClaimCalls _calls;
    private readonly List<JobSlot> _jobs;
    private readonly WorkerAdapters? _adapters;

    public BatchRun(IJobQueue queue, ModelCache models, WorkerOptions options, ILogger logger, Claim claim, CancellationToken stopping,
        WorkerAdapters? adapters = null)
    {
        _adapters = adapters;
        _queue = queue;
        _models = models;
        _options = options;
        _logger = logger;
        _claim = claim;
        _stopping = stopping;
        _jobs = claim.Entry.Jobs.Select(j => new JobSlot(j)).ToList();
        _calls = new ClaimCalls(queue, claim, options, logger, stopping);
    }

    /// <summary>A job of the batch, with the token that drops its samples between steps.</summary>
    private sealed class JobSlot(JobSpec spec) : IDisposable
    {
        public JobSpec Spec { get; } = spec;
        public CancellationTokenSource Drop { get; } = new();
        public bool Cancelled { get; set; }
        /// <summary>Failed before generation (an adapter could not be resolved); its samples are not in the batch.</summary>
        public bool Failed { get; set; }
        public void Dispose() => Drop.Dispose();
    }

    public void Execute()
    {
        var entry = _claim.Entry;
        WorkerLog.Claimed(_logger, _claim.EntryId, _claim.DeliveryCount, entry.Jobs.Count, entry.SampleCount, entry.GenerateBatch.Key.Model);
        _options.Observer?.BatchStarted(entry.SampleCount);
        if (_options.CrashOnPrompt is { Length: > 0 } poison && entry.Jobs.Any(j => j.Samples.Any(x => x.Prompt == poison)))
            Environment.FailFast($"fault injection: a claimed sample's prompt is '{poison}' (GENART_FAULT_CRASH_ON_PROMPT)");
        using var lost = CancellationTokenSource.CreateLinkedTokenSource(_stopping);
        using var heartbeat = new Timer(_ => Heartbeat(lost), null, _options.HeartbeatInterval, _options.HeartbeatInterval);
        try
        {
            StableDiffusionModel model;
            try
            {
                model = _models.Get(entry.GenerateBatch.Key.Model);
            }
            catch (Exception e)
            {
                WorkerLog.ModelLoadFailed(_logger, entry.GenerateBatch.Key.Model, e);
                Wait(_queue.FailDeliveryAsync(_claim, new JobError(JobErrorCode.Unavailable, $"model '{entry.GenerateBatch.Key.Model}' could not be loaded")));
                return;
            }
            Generate(model, lost.Token);
            Wait(_queue.AckAsync(_claim));
        }
        catch (OperationCanceledException) when (lost.IsCancellationRequested)
        {
            if (_stopping.IsCancellationRequested)
                Wait(_queue.ReleaseAsync(_claim)); // shutting down: another worker takes it, the delivery does not count
            else
                WorkerLog.ClaimLost(_logger, _claim.EntryId); // lease lost: another worker owns it now; never ack
        }
        catch (GenerationValidationException e)
        {
            // The engine refused the batch: a retry fails the same way, so each job fails now.
            foreach (var job in _jobs.Where(j => !j.Failed)) Publish(job.Spec.Id, new JobFailed(JobErrorCode.InvalidArgument, e.Message));
            Wait(_queue.AckAsync(_claim));
        }
        catch (Exception e)
        {
            WorkerLog.BatchFailed(_logger, _claim.EntryId, e);
            try
            {
                Wait(_queue.FailDeliveryAsync(_claim, new JobError(JobErrorCode.Internal, "generation failed: " + e.Message)));
            }
            catch (Exception again) when (again is not ObjectDisposedException)
            {
                // The queue cannot be reached either: the lease lapses and the entry is delivered again.
                WorkerLog.LoopError(_logger, again);
            }
        }
        finally
        {
            foreach (var job in _jobs) job.Dispose();
        }
    }

    private void Heartbeat(CancellationTokenSource lost) => _calls.Heartbeat(lost);

    private static T Wait<T>(Task<T> task) => ClaimCalls.Wait(task);

    private void Publish(JobId job, JobEventBody body) => _calls.Publish(job, body);

    private void PublishAll(List<(JobId JobId, JobEventBody Body)> events) => _calls.PublishAll(events);

    private static RgbImage DecodeInit(byte[] png)
    {
        var raster = ImageDecoder.Decode(png, "init.png");
        return RgbImage.Create(raster.Width, raster.Height, raster.Pixels);
    }

    private static DiffusionMode ModeOf(Jobs.GenerationMode mode) =>
        mode == Jobs.GenerationMode.ImageToImage ? DiffusionMode.ImageToImage : DiffusionMode.TextToImage;

    private static long Elapsed(long since) => (long)Stopwatch.GetElapsedTime(since).TotalMilliseconds;
}
