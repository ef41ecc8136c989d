using System.Globalization;
using System.Security.Cryptography;
using GenArt.Diffusion.Adapters;
using GenArt.Diffusion.Pipelines;
using GenArt.Diffusion.Training.FineTune;
using GenArt.Imaging;
using GenArt.Jobs;

namespace GenArt.Worker;

internal sealed partial class FineTuneRun
{
    /// <summary>The trained adapter as written at the end, before it moves to its content address.</summary>
    private string AdapterPath => Path.Combine(_folder, "adapter.safetensors");

    /// <summary>The last checkpointed step's loss, for a delivery that finds training already done.</summary>
    private string LossPath => Path.Combine(_folder, "loss.txt");

    /// <summary>
    /// The end of a run: the adapter is saved, checked like an upload, stored at its content address and registered
    /// to the job's tenant; the preview pairs are rendered; then TrainingResult and JobCompleted, and the folder goes.
    /// </summary>
    private FineTuneOutcome Complete(JobSpec job, StableDiffusionModel model, LoraTrainer trainer, double loss, CancellationToken lost)
    {
        trainer.SaveAdapter(AdapterPath);
        LoraSummary summary;
        try
        {
            summary = LoraAdapterFile.Inspect(AdapterPath, BaseModelShapes.FromModels(model.Unet, model.TextEncoder));
        }
        catch (LoraFormatException e)
        {
            Fail(job, JobErrorCode.Internal, $"the trained adapter does not validate against '{_run.BaseModel}': {e.Problem}");
            return Finish();
        }
        string sha256 = Sha256Of(AdapterPath);
        if (!Register(job, summary, sha256)) return Finish();

        var previews = RenderPairs(job, model, trainer, lost);
        _calls.PublishAll([(job.Id, new TrainingResult(_run.AdapterName, sha256, loss, previews)), (job.Id, new JobCompleted())]);
        var outcome = Finish();
        WorkerLog.FineTuneCompleted(_logger, job.Id.Value, _run.AdapterName, job.Tenant, sha256);
        return outcome;
    }

    /// <summary>
    /// Registers the adapter to the job's tenant. A name that already holds this very file is this job's own
    /// registration from a delivery that ended before its ack, and counts as done; another file under the name fails
    /// the job. Returns false after publishing that failure.
    /// </summary>
    private bool Register(JobSpec job, LoraSummary summary, string sha256)
    {
        long size = new FileInfo(AdapterPath).Length;
        var record = new AdapterRecord(job.Tenant, _run.AdapterName, sha256, size, summary.FormatName, _run.BaseModel, summary.Rank,
            summary.Alpha, summary.TargetCount, DateTimeOffset.UtcNow,
            string.Create(CultureInfo.InvariantCulture,
                $"fine-tuned on {_run.ImageCount} image(s), {_run.Steps} steps, trigger word '{_run.TriggerWord}'"));
        if (!Wait(_adapters.Store.TryAddAsync(record)))
        {
            var existing = Wait(_adapters.Store.GetAsync(job.Tenant, _run.AdapterName));
            if (existing is null || existing.Sha256 != sha256)
            {
                Fail(job, JobErrorCode.InvalidArgument, NameTaken());
                return false;
            }
            Place(sha256); // the earlier delivery may have stopped between the record and the file
            return true;
        }
        try
        {
            Place(sha256);
        }
        catch
        {
            Wait(_adapters.Store.DeleteAsync(job.Tenant, _run.AdapterName)); // no record without its file
            throw;
        }
        return true;
    }

    /// <summary>Copies the adapter to <c>{data}/adapters/{sha256}.safetensors</c> through a temporary file and a rename,
    /// so readers never see a partial file; an existing file of that hash already has these bytes.</summary>
    private void Place(string sha256)
    {
        string target = _adapters.FileOf(sha256);
        if (File.Exists(target)) return;
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        string temp = target + "." + Guid.NewGuid().ToString("N") + ".tmp";
        try
        {
            File.Copy(AdapterPath, temp);
            File.Move(temp, target, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    /// <summary>Each preview sample of the job rendered without and with the trained adapter, all in one batch
    /// (the engine gives every sample the pixels it gets alone). The base model is only read.</summary>
    private List<TrainingPreview> RenderPairs(JobSpec job, StableDiffusionModel model, LoraTrainer trainer, CancellationToken lost)
    {
        var uses = new[] { new LoraUse(trainer.Adapter, 1.0) };
        var requests = job.Samples.SelectMany(s => new[]
        {
            Request(s, []),
            Request(s, uses),
        }).ToList();
        var results = new StableDiffusionPipeline(model).Generate(PreviewSettings(), requests, cancellation: lost);
        lost.ThrowIfCancellationRequested();
        return job.Samples.Select((s, i) => new TrainingPreview(s.Seed, s.Prompt, Png(results[2 * i].Image!), Png(results[2 * i + 1].Image!)))
            .ToList();
    }

    /// <summary>The job's first sample with the adapter as trained so far, for a training-step preview.</summary>
    private byte[] RenderCurrent(SampleSpec sample, LoraTrainer trainer)
    {
        var result = new StableDiffusionPipeline(_models.Get(_run.BaseModel))
            .Generate(PreviewSettings(), [Request(sample, [new LoraUse(trainer.Adapter, 1.0)])]);
        return Png(result[0].Image!);
    }

    private GenerationSettings PreviewSettings() => new()
    {
        Width = _run.Resolution, Height = _run.Resolution, Steps = _options.TrainingPreviewSteps, Scheduler = _options.TrainingPreviewScheduler,
    };

    private static SampleRequest Request(SampleSpec sample, IReadOnlyList<LoraUse> adapters) => new()
    {
        Prompt = sample.Prompt, NegativePrompt = sample.NegativePrompt, Seed = unchecked((ulong)sample.Seed),
        GuidanceScale = sample.GuidanceScale, Adapters = adapters,
    };

    private static byte[] Png(RgbImage image) => PngEncoder.Encode(new RasterImage(image.Width, image.Height, PixelFormat.Rgb8, image.Pixels));

    private static string Sha256Of(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    /// <summary>Keeps the loss of a checkpointed step beside the checkpoints (temporary file and rename).</summary>
    private void RecordLoss(long step, double loss)
    {
        string temp = LossPath + ".tmp";
        File.WriteAllText(temp, string.Create(CultureInfo.InvariantCulture, $"{step} {loss:R}"));
        File.Move(temp, LossPath, overwrite: true);
    }

    /// <summary>
    /// The final loss when this delivery trained no step (an earlier one reached the end): the recorded loss of that
    /// step, or, should the record be missing, the loss on the first batch of the set with the trained adapter.
    /// </summary>
    private double ReadLastLoss(LoraTrainer trainer)
    {
        if (File.Exists(LossPath))
        {
            var parts = File.ReadAllText(LossPath).Split(' ');
            if (parts.Length == 2 && long.TryParse(parts[0], CultureInfo.InvariantCulture, out long step) && step == trainer.Step
                && double.TryParse(parts[1], CultureInfo.InvariantCulture, out double loss))
                return loss;
        }
        return trainer.EvaluateLoss(_run.Seed, _run.BatchSize);
    }
}
