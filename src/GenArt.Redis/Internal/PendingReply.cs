namespace GenArt.Redis.Internal;

/// <summary>A command that was written and waits for its reply, in FIFO order on its connection.</summary>
internal sealed class PendingReply(RedisCommand command, TimeSpan timeout, bool errorsAsReplies)
    // Continuations run off the receive loop so a slow caller cannot stall reply dispatch.
    : TaskCompletionSource<RedisReply>(TaskCreationOptions.RunContinuationsAsynchronously)
{
    public RedisCommand Command { get; } = command;

    public TimeSpan Timeout { get; } = timeout;

    /// <summary>Environment.TickCount64 after which the command has timed out; long.MaxValue for never.</summary>
    public long Deadline { get; } = timeout == System.Threading.Timeout.InfiniteTimeSpan
        ? long.MaxValue
        : Environment.TickCount64 + (long)Math.Ceiling(timeout.TotalMilliseconds);

    /// <summary>Inside MULTI the caller inspects error replies itself instead of getting an exception.</summary>
    public bool ErrorsAsReplies { get; } = errorsAsReplies;
}
