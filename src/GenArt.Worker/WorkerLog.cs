using Microsoft.Extensions.Logging;

namespace GenArt.Worker;

/// <summary>The worker's log events, with fixed ids.</summary>
internal static partial class WorkerLog
{
    [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "Claimed entry {EntryId} (delivery {Delivery}): {Jobs} job(s), {Samples} sample(s), model {Model}")]
    public static partial void Claimed(ILogger logger, string entryId, int delivery, int jobs, int samples, string model);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Error, Message = "Model {Model} failed to load")]
    public static partial void ModelLoadFailed(ILogger logger, string model, Exception exception);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Error, Message = "Entry {EntryId} failed")]
    public static partial void BatchFailed(ILogger logger, string entryId, Exception exception);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Warning, Message = "Lost the claim on entry {EntryId}; stopped work on it")]
    public static partial void ClaimLost(ILogger logger, string entryId);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Error, Message = "Worker loop error")]
    public static partial void LoopError(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 2006, Level = LogLevel.Warning, Message = "Publishing to job {JobId} failed")]
    public static partial void PublishFailed(ILogger logger, string jobId, Exception exception);

    [LoggerMessage(EventId = 2007, Level = LogLevel.Warning, Message = "Job {JobId} failed: adapter {Adapter} could not be used ({Reason})")]
    public static partial void AdapterFailed(ILogger logger, string jobId, string adapter, string reason);

    [LoggerMessage(EventId = 2008, Level = LogLevel.Information, Message = "Claimed fine-tune entry {EntryId} (delivery {Delivery}): job {JobId}, adapter {Adapter} on {Model}, {Steps} steps")]
    public static partial void FineTuneClaimed(ILogger logger, string entryId, int delivery, string jobId, string adapter, string model, int steps);

    [LoggerMessage(EventId = 2009, Level = LogLevel.Information, Message = "Fine-tune job {JobId} resumes from its checkpoint at step {Step} of {Steps}")]
    public static partial void FineTuneResumed(ILogger logger, string jobId, long step, int steps);

    [LoggerMessage(EventId = 2010, Level = LogLevel.Information, Message = "Released fine-tune entry {EntryId} for another worker; its last checkpoint is step {Step}")]
    public static partial void FineTuneReleased(ILogger logger, string entryId, long step);

    [LoggerMessage(EventId = 2011, Level = LogLevel.Warning, Message = "Fine-tune job {JobId} failed: {Reason}")]
    public static partial void FineTuneFailed(ILogger logger, string jobId, string reason);

    [LoggerMessage(EventId = 2012, Level = LogLevel.Information, Message = "Fine-tune job {JobId} completed: adapter {Adapter} registered to {Tenant} ({Sha256})")]
    public static partial void FineTuneCompleted(ILogger logger, string jobId, string adapter, string tenant, string sha256);

    [LoggerMessage(EventId = 2013, Level = LogLevel.Warning, Message = "The training folder {Folder} could not be removed")]
    public static partial void CleanupFailed(ILogger logger, string folder, Exception exception);
}
