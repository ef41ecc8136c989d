using System.Text.Json;
using GenArt.Jobs.Internal;
using GenArt.Redis;

namespace GenArt.Jobs.Redis;

/// <summary>
/// The Lua scripts behind every multi-key change of the Redis queue (each runs atomically on the server).
/// Each is the shared prelude (Lua/prelude.lua) followed by the operation's own file.
/// </summary>
/// <remarks>
/// Scripts run with EVALSHA through <see cref="RedisScript"/>, which loads them again after NOSCRIPT (the script
/// cache is emptied by a Redis restart or SCRIPT FLUSH). The messages the queue itself stores on jobs (a lapsed
/// lease, an ack without a result, a deadline passed while queued) are written into the prelude here, so the
/// Redis and in-process queues report exactly the same errors.
/// </remarks>
internal static class QueueScripts
{
    // Declared before the scripts: static fields initialise in declaration order.
    private static readonly Lazy<string> Prelude = new(() => Read("prelude")
        .Replace("__KINDS__", string.Join(", ", Enum.GetValues<EntryKind>().Select(k => $"'{RedisKeys.Kind(k)}'")))
        .Replace("__LAPSED_CODE__", Errors.LeaseLapsed.Code.ToString())
        .Replace("__LAPSED_MSG__", Errors.LeaseLapsed.Message)
        .Replace("__LAPSED_BODY__", FailedBody(Errors.LeaseLapsed))
        .Replace("__ACKED_CODE__", Errors.AckedUnfinished.Code.ToString())
        .Replace("__ACKED_MSG__", Errors.AckedUnfinished.Message)
        .Replace("__ACKED_BODY__", FailedBody(Errors.AckedUnfinished))
        .Replace("__LATE_CODE__", Errors.DeadlineExceeded.Code.ToString())
        .Replace("__LATE_MSG__", Errors.DeadlineExceeded.Message)
        .Replace("__LATE_BODY__", FailedBody(Errors.DeadlineExceeded))
        .Replace("__CANCELLED_BODY__", BodyJson(new JobCancelled())));

    internal static readonly RedisScript Enqueue = Build("enqueue");
    internal static readonly RedisScript Claim = Build("claim");
    internal static readonly RedisScript Delivery = Build("delivery");
    internal static readonly RedisScript Publish = Build("publish");
    internal static readonly RedisScript Jobs = Build("jobs");

    private static RedisScript Build(string name) => new(Prelude.Value + "\n" + Read(name));

    internal static string BodyJson(JobEventBody body) => JsonSerializer.Serialize(body, JobsJsonContext.Default.JobEventBody);

    internal static string FailedBody(JobError error) => BodyJson(new JobFailed(error.Code, error.Message));

    private static string Read(string name)
    {
        using var stream = typeof(QueueScripts).Assembly.GetManifestResourceStream($"GenArt.Jobs.Redis.Lua.{name}.lua")
            ?? throw new InvalidOperationException($"The queue script {name}.lua is missing from the assembly.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
