using System.Text.Json.Serialization;

namespace GenArt.Jobs;

/// <summary>Where a job is in its life. The last four are terminal: a finished job never changes again.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<JobState>))]
public enum JobState
{
    /// <summary>Waiting in the queue for a worker (again, after its worker gave its entry back).</summary>
    Queued = 0,

    /// <summary>A worker holds the job's entry.</summary>
    Running = 1,

    /// <summary>Every image was produced.</summary>
    Succeeded = 2,

    /// <summary>The worker reported a failure, or the deadline passed before a worker took it.</summary>
    Failed = 3,

    /// <summary>The owner cancelled it.</summary>
    Cancelled = 4,

    /// <summary>Its entry was delivered the maximum number of times without finishing; it failed with the last error.</summary>
    DeadLettered = 5,
}

/// <summary>The allowed transitions between <see cref="JobState"/>s.</summary>
public static class JobStateRules
{
    /// <summary>True for Succeeded, Failed, Cancelled and DeadLettered.</summary>
    public static bool IsTerminal(this JobState state) => state >= JobState.Succeeded;

    /// <summary>
    /// Queued goes to Running, or ends (Failed, Cancelled, DeadLettered, or Succeeded when a previous holder
    /// finishes it late); Running goes back to Queued when its delivery ends without finishing, or ends.
    /// Nothing leaves a terminal state, and no state goes to itself.
    /// </summary>
    public static bool CanTransitionTo(this JobState from, JobState to) => from switch
    {
        JobState.Queued => to != JobState.Queued,
        JobState.Running => to != JobState.Running,
        _ => false,
    };
}
