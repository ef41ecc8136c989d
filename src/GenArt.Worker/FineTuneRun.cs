using System.Diagnostics;
using GenArt.Diffusion.Pipelines;
using GenArt.Diffusion.Training;
using GenArt.Diffusion.Training.FineTune;
using GenArt.Jobs;
using Microsoft.Extensions.Logging;

namespace GenArt.Worker;

/// <summary>How a fine-tune claim ended on this worker.</summary>
internal enum FineTuneOutcome
{
    /// <summary>The job ended (completed, failed for good, or cancelled); the entry was acknowledged.</summary>
    Finished,
    /// <summary>The worker is stopping: the run checkpointed and the entry went back to the queue.</summary>
    Released,
    /// <summary>The entry was handed back as a failed delivery, or the claim was lost; it is the queue's again.</summary>
    Abandoned,
}

/// <summary>
/// One claimed fine-tune, run on the worker thread: trains the LoRA adapter from the prepared set under
/// <c>{data}/finetunes/{TrainingSet}/set/</c>, checkpointing into <c>checkpoints/</c> beside it, registers the adapter
/// to the job's tenant, renders the preview pairs, and removes the training folder once the job has ended.
/// </summary>
/// <remarks>
/// <para>Delivery is at least once (docs/queue.md), so every part is safe to repeat: the trainer resumes from the
/// newest checkpoint and continues bit for bit, training steps are deduplicated per step, the adapter file is
/// content-addressed, and a registration that already holds the same file counts as done.</para>
/// <para>A stop request (<c>draining</c>) ends training at the next step rather than after a grace period: a
/// training run can last hours, and the trainer checkpoints when cancelled, so the released entry resumes on another
/// worker from that step.</para>
/// </remarks>
internal sealed partial class FineTuneRun
{
    private readonly IJobQueue _queue;
    private readonly ModelCache _models;
    private readonly WorkerOptions _options;
    private readonly WorkerAdapters _adapters;
    private readonly ILogger _logger;
    private readonly Claim _claim;
    private readonly CancellationToken _draining;
    private readonly CancellationToken _stopping;
    private readonly FineTuneJobSpec _run;
    private readonly string _folder;
    private readonly ClaimCalls _calls;
    private bool _cancelled;
    private long _lastCancelCheck;

    public FineTuneRun(IJobQueue queue, ModelCache models, WorkerOptions options, WorkerAdapters adapters, ILogger logger, Claim claim,
        CancellationToken draining, CancellationToken stopping)
    {
        _queue = queue;
        _models = models;
        _options = options;
        _adapters = adapters;
        _logger = logger;
        _claim = claim;
        _draining = draining;
        _stopping = stopping;
        _run = claim.Entry.FineTune ?? throw new ArgumentException("a fine-tune claim without its run", nameof(claim));
        _folder = Path.Combine(adapters.DataDirectory, "finetunes", _run.TrainingSet);
        _calls = new ClaimCalls(queue, claim, options, logger, stopping);
    }

    /// <summary>The prepared training set (written by the front end).</summary>
    private string SetFolder => Path.Combine(_folder, "set");

    /// <summary>Where this job's checkpoints go; any worker that claims the entry resumes from the newest.</summary>
    private string CheckpointFolder => Path.Combine(_folder, "checkpoints");

    public FineTuneOutcome Execute()
    {
        if (_claim.Entry.Jobs.Count == 0)
        {
            // The job ended before this delivery (a worker published its terminal event and died before the ack):
            // only the cleanup is left.
            RemoveFolder();
            Wait(_queue.AckAsync(_claim));
            return FineTuneOutcome.Finished;
        }
        var job = _claim.Entry.Jobs[0];
        WorkerLog.FineTuneClaimed(_logger, _claim.EntryId, _claim.DeliveryCount, job.Id.Value, _run.AdapterName, _run.BaseModel, _run.Steps);
        using var lost = CancellationTokenSource.CreateLinkedTokenSource(_stopping);
        using var heartbeat = new Timer(_ => Heartbeat(lost), null, _options.HeartbeatInterval, _options.HeartbeatInterval);
        // Training stops at the next step for a stop request, a lost lease or a cancelled job.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(lost.Token, _draining);
        try
        {
            if (Prepare(job) is not { } prepared) return Finish(); // the job failed for good; already published
            var (model, examples) = prepared;
            return Train(job, model, examples, lost, stop);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            return Interrupted(lost);
        }
        catch (Exception e) when (e is not ObjectDisposedException)
        {
            WorkerLog.BatchFailed(_logger, _claim.EntryId, e);
            try
            {
                // An unexpected fault (disk, device memory): another delivery resumes from the last checkpoint.
                Wait(_queue.FailDeliveryAsync(_claim, new JobError(JobErrorCode.Internal, "fine-tune failed: " + e.Message)));
            }
            catch (Exception again) when (again is not ObjectDisposedException)
            {
                WorkerLog.LoopError(_logger, again); // the lease lapses and the entry is delivered again
            }
            return FineTuneOutcome.Abandoned;
        }
    }

    /// <summary>Loads the base model and the training set; null after publishing a failure that a retry cannot fix.</summary>
    private (StableDiffusionModel Model, IReadOnlyList<TrainingExample> Examples)? Prepare(JobSpec job)
    {
        if (AdapterNaming.Problem(_run.AdapterName) is { } problem)
        {
            Fail(job, JobErrorCode.InvalidArgument, $"adapter name '{_run.AdapterName}': {problem}");
            return null;
        }
        if (!_models.Names.Contains(_run.BaseModel))
        {
            Fail(job, JobErrorCode.InvalidArgument, $"base model '{_run.BaseModel}' is not served by the fine-tune workers");
            return null;
        }
        StableDiffusionModel model = _models.Get(_run.BaseModel);
        if (!Directory.Exists(SetFolder) || !File.Exists(Path.Combine(SetFolder, TrainingSetFolder.ManifestName)))
        {
            Fail(job, JobErrorCode.NotFound,
                $"the training set '{_run.TrainingSet}' is not in this worker's data directory (expected {SetFolder}); "
                + "workers and front ends must share the data directory");
            return null;
        }
        IReadOnlyList<TrainingExample> examples;
        try
        {
            examples = TrainingSetFolder.Load(SetFolder);
        }
        catch (InvalidDataException e)
        {
            Fail(job, JobErrorCode.InvalidArgument, $"the training set '{_run.TrainingSet}' cannot be read: {e.Message}");
            return null;
        }
        return (model, examples);
    }

    private FineTuneOutcome Train(JobSpec job, StableDiffusionModel model, IReadOnlyList<TrainingExample> examples, CancellationTokenSource lost,
        CancellationTokenSource stop)
    {
        var spec = new LoraTrainingSpec
        {
            Rank = _run.Rank, Alpha = _run.Alpha, Steps = _run.Steps, BatchSize = _run.BatchSize, LearningRate = _run.LearningRate,
            Seed = _run.Seed, TrainTextEncoder = _run.TrainTextEncoder, CheckpointEvery = _run.CheckpointEvery,
            TriggerWord = _run.TriggerWord, BaseModel = _run.BaseModel,
        };
        LoraTrainer trainer;
        try
        {
            trainer = new LoraTrainer(model, examples, spec);
        }
        catch (Exception e) when (e is FineTuneInputException or ArgumentException)
        {
            Fail(job, JobErrorCode.InvalidArgument, $"the fine-tune cannot run on model '{_run.BaseModel}': {e.Message}");
            return Finish();
        }
        using (trainer)
        {
            long resumeAt = CheckpointStep();
            // Checked before training so that hours are not spent on an adapter that cannot be registered. A run that
            // already reached its last step may find its own registration from an earlier delivery: Register decides.
            if (resumeAt < _run.Steps && Wait(_adapters.Store.GetAsync(job.Tenant, _run.AdapterName)) is not null)
            {
                Fail(job, JobErrorCode.InvalidArgument, NameTaken());
                return Finish();
            }
            if (resumeAt > 0) WorkerLog.FineTuneResumed(_logger, job.Id.Value, resumeAt, _run.Steps);
            _options.Observer?.FineTuneStarted(resumeAt);

            double loss;
            try
            {
                loss = trainer.Run(CheckpointFolder, p => OnStep(job, trainer, p, stop), stop.Token);
            }
            // Exactly the trainer's own refusals (derived types, such as a framework's object-state errors, are faults).
            catch (InvalidOperationException e) when (e.GetType() == typeof(InvalidOperationException) && !stop.IsCancellationRequested)
            {
                // A loss that became NaN or infinite, or a checkpoint of another run: the same input fails again.
                Fail(job, JobErrorCode.InvalidArgument, "training failed: " + e.Message);
                return Finish();
            }
            if (_cancelled) return Finish(); // the queue published JobCancelled when the caller cancelled
            // A stop request after the last step lets the short end (registration, previews) run here.
            if (lost.IsCancellationRequested || trainer.Step < _run.Steps) throw new OperationCanceledException(stop.Token);
            if (double.IsNaN(loss)) loss = ReadLastLoss(trainer);
            return Complete(job, model, trainer, loss, lost.Token);
        }
    }

    // Runs on the training thread after every optimizer step (after the trainer wrote that step's checkpoint).
    private void OnStep(JobSpec job, LoraTrainer trainer, LoraTrainingProgress p, CancellationTokenSource stop)
    {
        if (p.Step % _run.CheckpointEvery == 0 || p.Step == p.TotalSteps) RecordLoss(p.Step, p.Loss);
        _options.Observer?.TrainingStepCompleted(p.Step);
        if (_lastCancelCheck == 0 || Stopwatch.GetElapsedTime(_lastCancelCheck) >= _options.CancelCheckInterval)
        {
            _lastCancelCheck = Stopwatch.GetTimestamp();
            if (Wait(_queue.IsCancelledAsync(job.Id)))
            {
                _cancelled = true;
                stop.Cancel();
                return;
            }
        }
        bool preview = _run.PreviewEvery > 0 && p.Step % _run.PreviewEvery == 0;
        long most = Math.Max(1, _options.MaxTrainingStepEvents);
        long stride = Math.Max(1, (p.TotalSteps + most - 1) / most);
        if (!preview && p.Step % stride != 0 && p.Step != p.TotalSteps) return;
        byte[]? png = preview ? RenderCurrent(job.Samples[0], trainer) : null;
        Publish(job.Id, new TrainingStep(p.Step, p.TotalSteps, p.Loss, png));
    }

    /// <summary>The stop that ended training: a stopping worker releases the entry; a lost lease leaves it alone.</summary>
    private FineTuneOutcome Interrupted(CancellationTokenSource lost)
    {
        if (lost.IsCancellationRequested && !_stopping.IsCancellationRequested)
        {
            WorkerLog.ClaimLost(_logger, _claim.EntryId); // another worker owns it now; never ack
            return FineTuneOutcome.Abandoned;
        }
        WorkerLog.FineTuneReleased(_logger, _claim.EntryId, CheckpointStep());
        Wait(_queue.ReleaseAsync(_claim)); // the delivery does not count; the next worker resumes from the checkpoint
        return FineTuneOutcome.Released;
    }

    /// <summary>The job has its terminal event: drop the training folder, then finish the entry.</summary>
    private FineTuneOutcome Finish()
    {
        RemoveFolder();
        Wait(_queue.AckAsync(_claim));
        return FineTuneOutcome.Finished;
    }

    private void Fail(JobSpec job, JobErrorCode code, string message)
    {
        WorkerLog.FineTuneFailed(_logger, job.Id.Value, message);
        Publish(job.Id, new JobFailed(code, message));
    }

    private string NameTaken() => $"adapter name '{_run.AdapterName}' already taken: the tenant has an adapter of that name";

    private long CheckpointStep() => Directory.Exists(CheckpointFolder) ? LoraTrainer.LatestCheckpointStep(CheckpointFolder) : 0;

    private void RemoveFolder()
    {
        try
        {
            if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            WorkerLog.CleanupFailed(_logger, _folder, e); // the job's outcome stands; the folder is only disk space
        }
    }

    private void Heartbeat(CancellationTokenSource lost) => _calls.Heartbeat(lost);

    private static T Wait<T>(Task<T> task) => ClaimCalls.Wait(task);

    private void Publish(JobId job, JobEventBody body) => _calls.Publish(job, body);
}
