using GenArt.Jobs;

namespace GenArt.Worker;

/// <summary>Timings of a <see cref="GenerationWorker"/>.</summary>
public sealed record WorkerOptions
{
    /// <summary>Names this worker's claims; unique per process.</summary>
    public string ConsumerId { get; init; } = $"{Environment.MachineName}-{Environment.ProcessId}";

    /// <summary>How long one claim waits for work before the loop checks for shutdown again.</summary>
    public TimeSpan ClaimWait { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Lease renewal period; docs/queue.md asks for a third of the queue's visibility timeout.</summary>
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>A progress event carries a latent preview every this many steps (0: never).</summary>
    public int PreviewEvery { get; init; } = 5;

    /// <summary>
    /// Least time between two cancellation checks against the queue, so a fast model does not turn every
    /// step into a queue round trip (one Redis call per job per step would dominate a tiny model's step).
    /// </summary>
    public TimeSpan CancelCheckInterval { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>How long a failed event publish is retried before the batch is abandoned to redelivery.</summary>
    public TimeSpan PublishRetryWindow { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Testing aid (fault injection), never for production: when a claimed entry holds a sample whose prompt equals
    /// this text, the process ends at once with <see cref="Environment.FailFast(string)"/>, as a crash in native code
    /// would. <c>genart worker</c> sets it from the <c>GENART_FAULT_CRASH_ON_PROMPT</c> environment variable.
    /// </summary>
    public string? CrashOnPrompt { get; init; }

    /// <summary>
    /// The entry kinds this worker claims (<c>genart worker --kinds</c>). Fine-tunes also need the adapter registry
    /// and the data directory (<see cref="WorkerAdapters"/>): a worker without them claims generation only.
    /// </summary>
    public IReadOnlyList<EntryKind> Kinds { get; init; } = [EntryKind.Generate, EntryKind.FineTune];

    /// <summary>
    /// Most <see cref="TrainingStep"/> events one fine-tune publishes: a longer run reports every n-th step (and
    /// always its last, and every step with a preview), so a 100,000-step run does not flood its event stream.
    /// </summary>
    public int MaxTrainingStepEvents { get; init; } = 1000;

    /// <summary>Denoising steps of a fine-tune's preview renders (during training and the pairs at the end).</summary>
    public int TrainingPreviewSteps { get; init; } = 20;

    /// <summary>Scheduler of a fine-tune's preview renders.</summary>
    public string TrainingPreviewScheduler { get; init; } = "dpmpp-2m-karras";

    /// <summary>Receives timings for metrics; null for none.</summary>
    public IWorkerObserver? Observer { get; init; }
}

/// <summary>What a worker reports for metrics. Called on the worker's thread; keep it cheap.</summary>
public interface IWorkerObserver
{
    /// <summary>A batch of <paramref name="samples"/> images started.</summary>
    void BatchStarted(int samples);

    /// <summary>One denoising step of a whole batch took <paramref name="elapsed"/>.</summary>
    void StepCompleted(TimeSpan elapsed);

    /// <summary>An image is finished and about to be published (called just before its event goes out).</summary>
    void ImagePublished();

    /// <summary>A fine-tune starts training on this worker after <paramref name="fromStep"/> steps (0: from the
    /// start; more: resumed from a checkpoint another delivery wrote).</summary>
    void FineTuneStarted(long fromStep)
    {
    }

    /// <summary>A fine-tune's optimizer step <paramref name="step"/> finished (its checkpoint, when one was due, is
    /// written); called before the step is reported.</summary>
    void TrainingStepCompleted(long step)
    {
    }
}
