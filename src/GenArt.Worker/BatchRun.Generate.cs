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

        for (int i = 0; i < results.Count; i++)
        {
            if (results[i].Image is not { } image) continue;
            var (job, sample) = slots[i];
            var record = new GenerationRecord(sample.Prompt, sample.NegativePrompt, results[i].Seed, sample.GuidanceScale, key.Steps,
                key.Scheduler, key.Width, key.Height, key.Model, init is null ? "txt2img" : "img2img",
                init is null ? null : batch.Strength, batch.ClipSkip,
                Adapters: sample.Adapters.Count == 0 ? null
                    : sample.Adapters.Select((a, k) => new AdapterUseRecord(a.Name, adapters[sample][k].Adapter.Id, a.Scale)).ToList());
            Publish(job.Spec.Id, new JobImage(sample.ImageIndex, ImageOutput.EncodePng(image, record), sample.Seed, ImageOutput.ToJson(record)));
            _options.Observer?.ImagePublished();
        }
        FinishJobs(results, slots, Elapsed(started));
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
            Publish(job.Spec.Id, new JobProgress(p.Step, p.Total, png));
        }
    }

    /// <summary>Completed when every sample has its image; a deadline failure when the deadline dropped any; nothing
    /// for a cancelled job (the queue ended it when it was cancelled).</summary>
    private void FinishJobs(IReadOnlyList<GenerationResult> results, List<(JobSlot Job, SampleSpec Sample)> slots, long elapsedMs)
    {
        foreach (var job in _jobs)
        {
            if (job.Failed) continue;
            int done = 0, total = 0;
            for (int i = 0; i < slots.Count; i++)
            {
                if (slots[i].Job != job) continue;
                total++;
                if (results[i].Image is not null) done++;
            }
            if (done == total)
                Publish(job.Spec.Id, new JobCompleted());
            else if (!job.Cancelled && job.Spec.Deadline is { } d && d <= DateTimeOffset.UtcNow)
                Publish(job.Spec.Id, new JobFailed(JobErrorCode.DeadlineExceeded,
                    $"the deadline passed after {elapsedMs} ms of generation; {done} of {total} image(s) were finished"));
            else if (!job.Cancelled && !Wait(_queue.IsCancelledAsync(job.Spec.Id)))
                Publish(job.Spec.Id, new JobFailed(JobErrorCode.Internal, $"{total - done} image(s) were dropped"));
        }
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
