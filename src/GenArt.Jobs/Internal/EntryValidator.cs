namespace GenArt.Jobs.Internal;

/// <summary>
/// The queue's own rules for an entry: what a worker needs to run it unambiguously. The front end checks more
/// (that the model exists, that the tenant owns the adapters) before it gets here.
/// </summary>
internal static class EntryValidator
{
    internal const int MaxIdempotencyKeyLength = 256;
    internal const int MaxConsumerIdLength = 256;

    private static ReadOnlySpan<byte> PngSignature => [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    internal static void Validate(QueueEntry? entry)
    {
        if (entry is null)
            throw Errors.Invalid("entry", "is required");
        if (!Enum.IsDefined(entry.Kind))
            throw Errors.Invalid("Kind", $"'{entry.Kind}' is not a known entry kind");
        if (!Enum.IsDefined(entry.Priority))
            throw Errors.Invalid("Priority", $"'{entry.Priority}' is not a known priority");
        if (entry.Kind == EntryKind.FineTune)
        {
            if (entry.Batch is not null)
                throw Errors.Invalid("Batch", "must be null for a fine-tune");
            ValidateFineTune(entry.FineTune);
            if (entry.Jobs is { Count: > 1 })
                throw Errors.Invalid("Jobs", $"a fine-tune entry holds exactly one job, not {entry.Jobs.Count}");
        }
        else
        {
            ValidateBatch(entry.Batch);
            if (entry.FineTune is not null)
                throw Errors.Invalid("FineTune", $"must be null for a {entry.Kind} entry");
        }
        if (entry.Jobs is null || entry.Jobs.Count == 0)
            throw Errors.Invalid("Jobs", "must hold at least one job");

        var ids = new HashSet<JobId>();
        for (var i = 0; i < entry.Jobs.Count; i++)
        {
            var job = entry.Jobs[i];
            var path = $"Jobs[{i}]";
            ValidateJob(job, path, entry.Priority);
            if (!ids.Add(job.Id))
                throw Errors.Invalid($"{path}.Id", $"repeats job id {job.Id} within the entry");
        }
    }

    private static void ValidateBatch(BatchSpec? batch)
    {
        if (batch is null)
            throw Errors.Invalid("Batch", "is required");
        var key = batch.Key ?? throw Errors.Invalid("Batch.Key", "is required");
        if (string.IsNullOrWhiteSpace(key.Model))
            throw Errors.Invalid("Batch.Key.Model", "must not be empty");
        // The VAE downsamples by 8, so other sizes cannot be represented as latents.
        if (key.Width <= 0 || key.Width % 8 != 0)
            throw Errors.Invalid("Batch.Key.Width", $"must be a positive multiple of 8, not {key.Width}");
        if (key.Height <= 0 || key.Height % 8 != 0)
            throw Errors.Invalid("Batch.Key.Height", $"must be a positive multiple of 8, not {key.Height}");
        if (key.Steps < 1)
            throw Errors.Invalid("Batch.Key.Steps", $"must be at least 1, not {key.Steps}");
        if (string.IsNullOrWhiteSpace(key.Scheduler))
            throw Errors.Invalid("Batch.Key.Scheduler", "must not be empty");
        if (!Enum.IsDefined(key.Mode))
            throw Errors.Invalid("Batch.Key.Mode", $"'{key.Mode}' is not a known mode");
        if (batch.ClipSkip < 0)
            throw Errors.Invalid("Batch.ClipSkip", $"must not be negative, not {batch.ClipSkip}");

        if (key.Mode == GenerationMode.ImageToImage)
        {
            if (!(batch.Strength > 0 && batch.Strength <= 1))
                throw Errors.Invalid("Batch.Strength", $"must be in (0, 1] for image-to-image, not {batch.Strength}");
            if (batch.InitImagePng is null || !batch.InitImagePng.AsSpan().StartsWith(PngSignature))
                throw Errors.Invalid("Batch.InitImagePng", "must be a PNG file for image-to-image");
        }
        else if (batch.InitImagePng is not null)
        {
            throw Errors.Invalid("Batch.InitImagePng", "must be null for text-to-image");
        }
    }

    private static void ValidateFineTune(FineTuneJobSpec? run)
    {
        if (run is null)
            throw Errors.Invalid("FineTune", "is required for a fine-tune");
        if (string.IsNullOrWhiteSpace(run.AdapterName))
            throw Errors.Invalid("FineTune.AdapterName", "must not be empty");
        if (string.IsNullOrWhiteSpace(run.BaseModel))
            throw Errors.Invalid("FineTune.BaseModel", "must not be empty");
        if (run.Rank is < 1 or > 128)
            throw Errors.Invalid("FineTune.Rank", $"must be 1 to 128, not {run.Rank}");
        if (!double.IsFinite(run.Alpha) || run.Alpha <= 0)
            throw Errors.Invalid("FineTune.Alpha", $"must be a finite number > 0, not {run.Alpha}");
        if (run.Steps is < 1 or > 100_000)
            throw Errors.Invalid("FineTune.Steps", $"must be 1 to 100000, not {run.Steps}");
        if (!double.IsFinite(run.LearningRate) || run.LearningRate <= 0 || run.LearningRate > 1)
            throw Errors.Invalid("FineTune.LearningRate", $"must lie in (0, 1], not {run.LearningRate}");
        if (run.BatchSize is < 1 or > 64)
            throw Errors.Invalid("FineTune.BatchSize", $"must be 1 to 64, not {run.BatchSize}");
        if (run.Resolution <= 0 || run.Resolution % 8 != 0)
            throw Errors.Invalid("FineTune.Resolution", $"must be a positive multiple of 8, not {run.Resolution}");
        if (string.IsNullOrWhiteSpace(run.TriggerWord))
            throw Errors.Invalid("FineTune.TriggerWord", "must not be empty");
        // The folder is joined to the data directory by the worker, so it must be one plain path segment.
        if (string.IsNullOrEmpty(run.TrainingSet) || run.TrainingSet is "." or ".." ||
            run.TrainingSet.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')))
            throw Errors.Invalid("FineTune.TrainingSet", "must be one folder name of letters, digits, '-', '_' and '.'");
        if (run.ImageCount < 1)
            throw Errors.Invalid("FineTune.ImageCount", $"must be at least 1, not {run.ImageCount}");
        if (run.CheckpointEvery < 1)
            throw Errors.Invalid("FineTune.CheckpointEvery", $"must be at least 1, not {run.CheckpointEvery}");
        if (run.PreviewEvery < 0)
            throw Errors.Invalid("FineTune.PreviewEvery", $"must not be negative, not {run.PreviewEvery}");
    }

    private static void ValidateJob(JobSpec? job, string path, JobPriority entryPriority)
    {
        if (job is null)
            throw Errors.Invalid(path, "is required");
        if (job.Id.IsEmpty)
            throw Errors.Invalid($"{path}.Id", "is required (make one with JobId.New)");
        if (string.IsNullOrWhiteSpace(job.Tenant))
            throw Errors.Invalid($"{path}.Tenant", "must not be empty");
        if (job.Priority != entryPriority)
            throw Errors.Invalid($"{path}.Priority", $"must equal the entry's priority {entryPriority}, not {job.Priority}");
        if (job.IdempotencyKey is { } key && (key.Length == 0 || key.Length > MaxIdempotencyKeyLength))
            throw Errors.Invalid($"{path}.IdempotencyKey", $"must be 1 to {MaxIdempotencyKeyLength} characters when set");
        if (job.Samples is null || job.Samples.Count == 0)
            throw Errors.Invalid($"{path}.Samples", "must hold at least one sample");

        var indexes = new HashSet<int>();
        for (var s = 0; s < job.Samples.Count; s++)
        {
            var sample = job.Samples[s];
            var sp = $"{path}.Samples[{s}]";
            ValidateSample(sample, sp);
            if (!indexes.Add(sample.ImageIndex))
                throw Errors.Invalid($"{sp}.ImageIndex", $"repeats image index {sample.ImageIndex} within the job");
        }
    }

    private static void ValidateSample(SampleSpec? sample, string path)
    {
        if (sample is null)
            throw Errors.Invalid(path, "is required");
        if (sample.Prompt is null)
            throw Errors.Invalid($"{path}.Prompt", "is required");
        if (sample.NegativePrompt is null)
            throw Errors.Invalid($"{path}.NegativePrompt", "is required (empty for none)");
        if (!double.IsFinite(sample.GuidanceScale) || sample.GuidanceScale < 0)
            throw Errors.Invalid($"{path}.GuidanceScale", $"must be a finite number >= 0, not {sample.GuidanceScale}");
        if (sample.ImageIndex < 0)
            throw Errors.Invalid($"{path}.ImageIndex", $"must not be negative, not {sample.ImageIndex}");
        if (sample.Adapters is null)
            throw Errors.Invalid($"{path}.Adapters", "is required (empty for none)");
        for (var a = 0; a < sample.Adapters.Count; a++)
        {
            var adapter = sample.Adapters[a];
            if (adapter is null || string.IsNullOrWhiteSpace(adapter.Name))
                throw Errors.Invalid($"{path}.Adapters[{a}].Name", "must not be empty");
            if (!double.IsFinite(adapter.Scale))
                throw Errors.Invalid($"{path}.Adapters[{a}].Scale", $"must be a finite number, not {adapter.Scale}");
        }
    }

    /// <summary>Checks a claim's arguments; returns when its wait ends (MaxValue for an endless wait).</summary>
    internal static DateTimeOffset ValidateClaim(EntryKind kind, string consumerId, TimeSpan waitTimeout, DateTimeOffset now)
    {
        ValidateConsumerId(consumerId);
        if (!Enum.IsDefined(kind))
            throw Errors.Invalid("kind", $"'{kind}' is not a known entry kind");
        if (waitTimeout < TimeSpan.Zero && waitTimeout != Timeout.InfiniteTimeSpan)
            throw Errors.Invalid("waitTimeout", "must be zero or more, or Timeout.InfiniteTimeSpan");
        return waitTimeout == Timeout.InfiniteTimeSpan || waitTimeout >= DateTimeOffset.MaxValue - now
            ? DateTimeOffset.MaxValue
            : now + waitTimeout;
    }

    internal static void ValidateConsumerId(string? consumerId)
    {
        if (string.IsNullOrWhiteSpace(consumerId) || consumerId.Length > MaxConsumerIdLength)
            throw Errors.Invalid("consumerId", $"must be 1 to {MaxConsumerIdLength} non-blank characters");
    }

    internal static void ValidateTenant(string? tenant)
    {
        if (string.IsNullOrWhiteSpace(tenant))
            throw Errors.Invalid("tenant", "must not be empty");
    }
}
