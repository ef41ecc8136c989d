using System.Diagnostics;
using GenArt.Diffusion.Adapters;
using GenArt.Diffusion.Pipelines;
using GenArt.Imaging;
using GenArt.Jobs;

namespace GenArt.Worker;

internal sealed partial class BatchRun
{
    private void Generate(StableDiffusionModel model, CancellationToken lost)
    {
        var leases = new List<LoraLease>();
        try
        {
            var adapters = ResolveAdapters(model, leases);
            Generate(model, adapters, lost);
        }
        finally
        {
            foreach (var lease in leases) lease.Dispose();
        }
    }

    private void Generate(StableDiffusionModel model, Dictionary<SampleSpec, IReadOnlyList<LoraUse>> adapters, CancellationToken lost)
    {
        var batch = _claim.Entry.GenerateBatch;
        var key = batch.Key;
        var init = batch.InitImagePng is null ? null : DecodeInit(batch.InitImagePng);
        var slots = new List<(JobSlot Job, SampleSpec Sample)>();
        foreach (var job in _jobs)
        {
            if (job.Failed) continue;
            // The deadline drops the job's samples between steps, like a cancel; it is told apart afterwards.
            if (job.Spec.Deadline is { } deadline)
                job.Drop.CancelAfter(Max(deadline - DateTimeOffset.UtcNow, TimeSpan.Zero));
            foreach (var sample in job.Spec.Samples) slots.Add((job, sample));
        }
        if (slots.Count == 0) return; // every job failed on its adapters
        var settings = new GenerationSettings
        {
            Width = key.Width, Height = key.Height, Steps = key.Steps, Scheduler = key.Scheduler, Mode = ModeOf(key.Mode),
            Strength = key.Mode == Jobs.GenerationMode.ImageToImage ? batch.Strength : 1, ClipSkip = batch.ClipSkip,
        };
        var requests = slots.Select(s => new SampleRequest
        {
            Prompt = s.Sample.Prompt, NegativePrompt = s.Sample.NegativePrompt, Seed = unchecked((ulong)s.Sample.Seed),
            GuidanceScale = s.Sample.GuidanceScale, InitImage = init, Cancellation = s.Job.Drop.Token, Adapters = adapters[s.Sample],
        }).ToList();

        long started = Stopwatch.GetTimestamp();
        long lastStep = started, lastCheck = 0;
        var results = new StableDiffusionPipeline(model).Generate(settings, requests, p =>
        {
            _options.Observer?.StepCompleted(Stopwatch.GetElapsedTime(lastStep));
            lastStep = Stopwatch.GetTimestamp();
            if (lastCheck == 0 || Stopwatch.GetElapsedTime(lastCheck) >= _options.CancelCheckInterval)
            {
                lastCheck = Stopwatch.GetTimestamp();
                CheckCancelled();
            }
            PublishProgress(p, slots);
        }, lost);

        // Each job's images go out with its terminal event in one publish (one queue round trip per job), job by job,
        // so the first job's caller is not kept waiting for the other jobs' PNG encoding.
        long elapsedMs = Elapsed(started);
        foreach (var job in _jobs)
        {
            if (job.Failed) continue;
            var events = new List<(JobId, JobEventBody)>();
            int done = 0, total = 0;
            for (int i = 0; i < slots.Count; i++)
            {
                if (slots[i].Job != job) continue;
                total++;
                if (results[i].Image is not { } image) continue;
                done++;
                var sample = slots[i].Sample;
                var record = new GenerationRecord(sample.Prompt, sample.NegativePrompt, results[i].Seed, sample.GuidanceScale, key.Steps,
                    key.Scheduler, key.Width, key.Height, key.Model, init is null ? "txt2img" : "img2img",
                    init is null ? null : batch.Strength, batch.ClipSkip,
                    Adapters: sample.Adapters.Count == 0 ? null
                        : sample.Adapters.Select((a, k) => new AdapterUseRecord(a.Name, adapters[sample][k].Adapter.Id, a.Scale)).ToList());
                events.Add((job.Spec.Id, new JobImage(sample.ImageIndex, ImageOutput.EncodePng(image, record), sample.Seed, ImageOutput.ToJson(record))));
            }
            if (Terminal(job, done, total, elapsedMs) is { } end) events.Add((job.Spec.Id, end));
            // Counted before the events go out, so whoever sees the job end also sees its images counted.
            for (int k = 0; k < done; k++) _options.Observer?.ImagePublished();
            PublishAll(events);
        }
    }

    /// <summary>Drops the samples of jobs the queue reports as cancelled (or gone), from the next step on.</summary>
    private void CheckCancelled()
    {
        foreach (var job in _jobs)
        {
            if (job.Cancelled || job.Failed || job.Drop.IsCancellationRequested) continue;
            if (Wait(_queue.IsCancelledAsync(job.Spec.Id)))
            {
                job.Cancelled = true;
                job.Drop.Cancel();
            }
        }
    }

    private void PublishProgress(StepProgress p, List<(JobSlot Job, SampleSpec Sample)> slots)
    {
        bool preview = _options.PreviewEvery > 0 && p.Step % _options.PreviewEvery == 0;
        RgbImage[]? previews = null;
        var events = new List<(JobId, JobEventBody)>(_jobs.Count);
        foreach (var job in _jobs)
        {
            // The job's first sample still in the batch stands for the job in its preview.
            int position = -1;
            for (int k = 0; k < p.Active.Count && position < 0; k++)
                if (slots[p.Active[k]].Job == job) position = k;
            if (position < 0) continue;
            byte[]? png = null;
            if (preview)
            {
                previews ??= p.Previews();
                var img = previews[position];
                png = PngEncoder.Encode(new RasterImage(img.Width, img.Height, PixelFormat.Rgb8, img.Pixels));
            }
            events.Add((job.Spec.Id, new JobProgress(p.Step, p.Total, png)));
        }
        PublishAll(events); // every job's step in one round trip
    }

    /// <summary>A job's last event: completed when every sample has its image; a deadline failure when the deadline
    /// dropped any; none for a cancelled job (the queue ended it when it was cancelled).</summary>
    private JobEventBody? Terminal(JobSlot job, int done, int total, long elapsedMs)
    {
        if (done == total)
            return new JobCompleted();
        if (!job.Cancelled && job.Spec.Deadline is { } d && d <= DateTimeOffset.UtcNow)
            return new JobFailed(JobErrorCode.DeadlineExceeded,
                $"the deadline passed after {elapsedMs} ms of generation; {done} of {total} image(s) were finished");
        if (!job.Cancelled && !Wait(_queue.IsCancelledAsync(job.Spec.Id)))
            return new JobFailed(JobErrorCode.Internal, $"{total - done} image(s) were dropped");
        return null;
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
