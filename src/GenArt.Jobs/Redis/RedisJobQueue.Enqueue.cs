using System.Globalization;
using System.Text.Json;
using GenArt.Jobs.Internal;
using GenArt.Redis;

namespace GenArt.Jobs.Redis;

public sealed partial class RedisJobQueue
{
    /// <inheritdoc />
    public async Task<IReadOnlyList<EnqueueResult>> EnqueueAsync(QueueEntry entry, CancellationToken cancellationToken = default)
    {
        EntryValidator.Validate(entry);
        var args = Args(4 + entry.Jobs.Count * 6);
        args.Add(RedisKeys.Kind(entry.Kind));
        args.Add(RedisKeys.Priority(entry.Priority));
        args.Add(JsonSerializer.Serialize(entry, JobsJsonContext.Default.QueueEntry));
        args.Add(entry.Jobs.Count);
        foreach (var job in entry.Jobs)
        {
            args.Add(job.Id.Value);
            args.Add(job.Tenant);
            args.Add(job.IdempotencyKey is { } key ? _keys.Idempotency(job.Tenant, key) : "");
            args.Add(job.Deadline is { } deadline ? deadline.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture) : "");
            args.Add(job.CreatedAt.UtcTicks.ToString(CultureInfo.InvariantCulture));
            args.Add(job.Samples.Count);
        }

        var reply = (await RunAsync(QueueScripts.Enqueue, "enqueue", args, cancellationToken).ConfigureAwait(false)).Elements;
        switch (Text(reply[0]))
        {
            case "inuse":
            {
                var i = (int)Number(reply[1]);
                throw Errors.Invalid($"Jobs[{i}].Id", $"{entry.Jobs[i].Id} already names another job");
            }
            case "deadline":
            {
                var i = (int)Number(reply[1]);
                throw Errors.DeadlinePassed($"Jobs[{i}].Deadline", entry.Jobs[i].Deadline!.Value);
            }
            case "toolarge":
                throw Errors.Invalid("Jobs",
                    $"holds {Number(reply[1])} new jobs, more than the queue's capacity of {_options.MaxQueuedJobs}");
            case "full":
                throw Errors.QueueFull((int)Number(reply[1]), _options);
        }

        var results = new EnqueueResult[entry.Jobs.Count];
        for (var i = 0; i < results.Length; i++)
        {
            var isNew = Number(reply[1 + i * 3]) == 1;
            var id = JobId.Parse(Text(reply[2 + i * 3]));
            var position = Number(reply[3 + i * 3]);
            results[i] = new EnqueueResult(id, isNew, isNew ? (int)position : null);
        }
        return results;
    }
}
