using GenArt.Api.V1;
using GenArt.Diffusion.Training;
using GenArt.Diffusion.Training.FineTune;
using GenArt.Jobs;
using GenArt.Rpc;
using GenArt.Rpc.Server;
using JobPriority = GenArt.Jobs.JobPriority;

namespace GenArt.Server.Services;

public sealed partial class FineTunesService
{
    /// <summary>Defaults for spec fields left 0, as for <c>genart finetune-local</c>.</summary>
    public const int DefaultRank = 8, DefaultSteps = 300, DefaultBatchSize = 1;

    /// <inheritdoc cref="DefaultRank"/>
    public const double DefaultLearningRate = 1e-4;

    /// <summary>Preview samples rendered at the end, without and with the adapter.</summary>
    public const int PreviewSamples = 2;

    private const int MaxIdempotencyKey = 128;
    private const int MaxFileNameChars = 255;

    /// <summary>
    /// The spec first (checked before any image is taken), then the images, kept in memory up to the upload cap.
    /// Once the stream ends, every image is decoded, resized and cropped off the request's thread and every intake
    /// rule checked; only then is the set written (to a temporary folder, renamed into place) and the entry enqueued.
    /// A refusal at any point leaves no folder and no entry; a repeated idempotency key returns the first fine-tune
    /// and removes the set just written.
    /// </summary>
    private async Task<FineTunesSubmitResponse> SubmitAsync(IAsyncStreamReader<FineTunesSubmitRequest> requests, ServerCallContext context)
    {
        string tenant = auth.Tenant(context);
        var ct = context.CancellationToken;
        if (!await requests.MoveNext(ct).ConfigureAwait(false))
            throw Invalid("spec", "the submission is empty; the first message must carry the spec");
        if (requests.Current.PayloadCase != FineTunesSubmitRequest.PayloadOneofCase.Spec)
            throw Invalid("spec", "must be the first message of a submission, before any image");
        var plan = CheckSpec(requests.Current.Spec);
        if (await store.GetAsync(tenant, plan.AdapterName, ct).ConfigureAwait(false) is not null)
            throw new RpcException(StatusCode.AlreadyExists, $"adapter_name: you already have an adapter named '{plan.AdapterName}'");

        var uploads = await ReceiveAsync(requests, ct).ConfigureAwait(false);
        var examples = await PrepareAsync(uploads, plan).ConfigureAwait(false);

        var id = JobId.New(_time);
        var job = new JobSpec(id, tenant, plan.Priority, plan.IdempotencyKey, Deadline: null, _time.GetUtcNow(),
            Previews(plan, examples));
        var t = plan.Training;
        var run = new FineTuneJobSpec(plan.AdapterName, plan.Model.Name, t.Rank, t.Alpha, (int)t.Steps, t.LearningRate, t.BatchSize,
            plan.Resolution, t.Seed, t.TriggerWord, t.TrainTextEncoder, TrainingSet: id.Value, examples.Count,
            CheckpointEvery(t.Steps), PreviewEvery(t.Steps));

        // Encoding the PNGs is the heavy part: off the request's thread, and not cancellable by the call from here
        // on, so the set and the entry are both written or both not.
        await Task.Run(() => sets.Save(id.Value, examples), CancellationToken.None).ConfigureAwait(false);
        EnqueueResult result;
        try
        {
            result = (await queue.EnqueueAsync(new QueueEntry(EntryKind.FineTune, plan.Priority, null, [job], run), CancellationToken.None)
                .ConfigureAwait(false))[0];
        }
        catch
        {
            sets.Delete(id.Value);
            throw;
        }
        if (!result.IsNew) sets.Delete(id.Value); // the first submission's set is the one its entry names
        return new FineTunesSubmitResponse
        {
            FineTuneId = result.JobId.Value, QueuePosition = (uint)(result.QueuePosition ?? 0), ImageCount = (uint)examples.Count,
        };
    }

    /// <summary>A checked spec with its defaults filled in.</summary>
    private sealed record FineTunePlan(string AdapterName, ModelDescriptor Model, LoraTrainingSpec Training, int Resolution,
        JobPriority Priority, string? IdempotencyKey);

    private FineTunePlan CheckSpec(FineTuneSpec spec)
    {
        AdaptersService.CheckName(spec.AdapterName, "adapter_name");
        var model = spec.BaseModel.Length == 0
            ? models.Default ?? throw new RpcException(StatusCode.FailedPrecondition, "base_model: this server has no models")
            : models.Find(spec.BaseModel) ?? throw Invalid("base_model",
                $"'{spec.BaseModel}' is not a model of this server; known: {string.Join(", ", models.All.Select(m => m.Name))}");
        int resolution = spec.Resolution == 0 ? model.NativeSide : (int)Math.Min(spec.Resolution, int.MaxValue);
        if (resolution % 8 != 0 || resolution < 8 || resolution > model.MaxSide)
            throw Invalid("resolution", $"must be a multiple of 8 from 8 to {model.MaxSide} (the largest side of '{model.Name}'), got {spec.Resolution}");
        if (!Enum.IsDefined(spec.Priority)) throw Invalid("priority", $"unknown priority {(int)spec.Priority}");
        if (spec.IdempotencyKey.Length > MaxIdempotencyKey)
            throw Invalid("idempotency_key", $"must be at most {MaxIdempotencyKey} characters, got {spec.IdempotencyKey.Length}");
        int rank = spec.Rank == 0 ? DefaultRank : (int)Math.Min(spec.Rank, int.MaxValue);
        var training = new LoraTrainingSpec
        {
            Rank = rank,
            Alpha = spec.Alpha == 0 ? rank : Exact(spec.Alpha),
            Steps = spec.Steps == 0 ? DefaultSteps : spec.Steps,
            LearningRate = spec.LearningRate == 0 ? DefaultLearningRate : Exact(spec.LearningRate),
            BatchSize = spec.BatchSize == 0 ? DefaultBatchSize : (int)Math.Min(spec.BatchSize, int.MaxValue),
            Seed = spec.HasSeed ? spec.Seed : (ulong)Random.Shared.NextInt64(0, long.MaxValue),
            TrainTextEncoder = spec.TrainTextEncoder,
            TriggerWord = spec.TriggerWord,
            BaseModel = model.Name,
        };
        try
        {
            training.Validate();
        }
        catch (FineTuneInputException e)
        {
            throw Invalid(e.Field, e.Problem);
        }
        return new FineTunePlan(spec.AdapterName, model, training, resolution,
            spec.Priority == Priority.Batch ? JobPriority.Batch : JobPriority.Interactive,
            spec.IdempotencyKey.Length == 0 ? null : spec.IdempotencyKey);
    }

    /// <summary>The images after the spec, refused as soon as they pass the count or the size cap.</summary>
    private async Task<List<FineTuneUpload>> ReceiveAsync(IAsyncStreamReader<FineTunesSubmitRequest> requests, CancellationToken ct)
    {
        var rules = Rules;
        var uploads = new List<FineTuneUpload>();
        long total = 0;
        while (await requests.MoveNext(ct).ConfigureAwait(false))
        {
            var message = requests.Current;
            if (message.PayloadCase == FineTunesSubmitRequest.PayloadOneofCase.Spec)
                throw Invalid("spec", "only the first message of a submission may carry the spec");
            if (message.PayloadCase != FineTunesSubmitRequest.PayloadOneofCase.Image)
                throw Invalid("image", "every message after the spec must carry an image");
            var image = message.Image;
            string file = FileLabel(image.Filename, uploads.Count);
            if (uploads.Count == rules.MaxImages)
                throw Invalid("images", $"a fine-tune needs {rules.MinImages}-{rules.MaxImages} images, got more than {rules.MaxImages}");
            total += image.Data.Length;
            if (total > options.MaxFineTuneBytes)
                throw Invalid($"images ({file})", $"the images pass this server's upload cap of {Describe(options.MaxFineTuneBytes)} " +
                    $"({options.MaxFineTuneBytes} bytes in all)");
            uploads.Add(new FineTuneUpload(file, image.Data.ToByteArray(), image.HasCaption ? image.Caption : null));
        }
        return uploads;
    }

    private TrainingSetRules Rules => new() { MaxPixels = options.MaxTrainingImagePixels };

    /// <summary>Decodes, checks and squares the images (CPU-heavy: off the request's thread).</summary>
    private async Task<IReadOnlyList<TrainingExample>> PrepareAsync(List<FineTuneUpload> uploads, FineTunePlan plan)
    {
        var rules = Rules;
        try
        {
            return await Task.Run(() => TrainingSetIntake.Prepare(uploads, plan.Training.TriggerWord, plan.Resolution, rules)).ConfigureAwait(false);
        }
        catch (FineTuneInputException e)
        {
            throw new RpcException(StatusCode.InvalidArgument, e.Message);
        }
    }

    /// <summary>
    /// The preview samples rendered at the end without and with the adapter: the trigger word alone, then the set's
    /// first caption (which holds the trigger word), with the run's seed and the next one, at the model's default
    /// guidance. The trigger word alone shows what the adapter learned as a whole; a real caption shows it in context.
    /// </summary>
    private static List<SampleSpec> Previews(FineTunePlan plan, IReadOnlyList<TrainingExample> examples)
    {
        string[] prompts = [plan.Training.TriggerWord, examples[0].Caption];
        return Enumerable.Range(0, PreviewSamples)
            .Select(i => new SampleSpec(prompts[i], "", unchecked((long)(plan.Training.Seed + (ulong)i)), plan.Model.DefaultGuidance, [], i))
            .ToList();
    }

    /// <summary>A checkpoint every tenth of the run, at least every step and at most every 50 steps: a redelivered
    /// fine-tune repeats at most 50 steps, and short runs still resume part-way.</summary>
    public static int CheckpointEvery(long steps) => (int)Math.Clamp(steps / 10, 1, 50);

    /// <summary>A preview render every fifth of the run (five in all); none for runs under 5 steps.</summary>
    public static int PreviewEvery(long steps) => (int)(steps / 5);

    /// <summary>The decimal value the client wrote (1e-4, not 9.99999974737875E-05).</summary>
    private static double Exact(float value) =>
        float.IsFinite(value) && Math.Abs(value) < 1e20f ? (double)(decimal)value : value;

    /// <summary>The name an image is reported under: its file name, or its position when it has none.</summary>
    private static string FileLabel(string fileName, int index)
    {
        string name = new(fileName.Where(c => !char.IsControl(c)).Take(MaxFileNameChars).ToArray());
        return name.Length > 0 ? name : $"image {index + 1}";
    }

    private static string Describe(long bytes) =>
        bytes % (1024 * 1024) == 0 ? $"{bytes / (1024 * 1024)} MiB" : bytes % 1024 == 0 ? $"{bytes / 1024} KiB" : $"{bytes} bytes";
}
