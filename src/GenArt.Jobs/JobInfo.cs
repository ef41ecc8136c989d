namespace GenArt.Jobs;

/// <summary>A snapshot of one job's status.</summary>
/// <param name="Id">The job.</param>
/// <param name="Tenant">Its owner.</param>
/// <param name="State">Where it is now.</param>
/// <param name="Priority">Its priority.</param>
/// <param name="EntryId">The queue entry carrying it.</param>
/// <param name="Attempts">How many times its entry has been delivered to a worker (0 while never claimed).</param>
/// <param name="CreatedAt">When the front end accepted it (from its <see cref="JobSpec"/>).</param>
/// <param name="StartedAt">When a worker first claimed it; null until then.</param>
/// <param name="FinishedAt">When it reached a terminal state; null until then.</param>
/// <param name="Worker">The consumer that holds or last held it; null until claimed.</param>
/// <param name="LastError">The last failure reported for it or its entry; null if none.</param>
/// <param name="ImageCount">Images requested.</param>
/// <param name="ImagesReady">Images published so far.</param>
/// <param name="LastSequence">Sequence number of its latest event.</param>
/// <param name="Kind">The kind of entry carrying it: a generation or a fine-tune.</param>
public sealed record JobInfo(
    JobId Id,
    string Tenant,
    JobState State,
    JobPriority Priority,
    string EntryId,
    int Attempts,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    string? Worker,
    JobError? LastError,
    int ImageCount,
    int ImagesReady,
    long LastSequence,
    EntryKind Kind = EntryKind.Generate);
