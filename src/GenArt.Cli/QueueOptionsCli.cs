using System.CommandLine;
using System.Globalization;
using GenArt.Jobs;
using GenArt.Jobs.Redis;
using GenArt.Redis;

namespace GenArt.Cli;

/// <summary>
/// The Redis queue options that <c>serve --redis</c> and <c>worker</c> share. Every process on one Redis must use
/// the same values: each runs the queue's scripts with its own, so a worker with a shorter visibility timeout than
/// the front ends would see leases lapse early.
/// </summary>
internal sealed class QueueOptionsCli
{
    public Option<string?> Redis { get; } = new("--redis") { Description = "Redis URI of the job queue, redis://[:password@]host:port[/db]" };
    public Option<string> KeyPrefix { get; } = new("--key-prefix") { Description = "prefix of every queue key in Redis", DefaultValueFactory = _ => "genart:" };
    public Option<string> Visibility { get; } = new("--visibility-timeout") { Description = "a claim not heartbeated this long is lost and redelivered (e.g. 60s)", DefaultValueFactory = _ => "60s" };
    public Option<int> MaxDeliveries { get; } = new("--max-deliveries") { Description = "deliveries of an entry before it is dead-lettered", DefaultValueFactory = _ => 3 };
    public Option<int> MaxQueued { get; } = new("--max-queued") { Description = "most queued jobs; past it Generate is RESOURCE_EXHAUSTED", DefaultValueFactory = _ => 10_000 };

    public IEnumerable<Option> All => [Redis, KeyPrefix, Visibility, MaxDeliveries, MaxQueued];

    /// <summary>The queue options from the command line; throws <see cref="ArgumentException"/> naming the bad option.</summary>
    public JobQueueOptions QueueOptions(ParseResult r)
    {
        var options = new JobQueueOptions
        {
            VisibilityTimeout = Duration.Parse(r.GetValue(Visibility)!, "--visibility-timeout"),
            MaxDeliveries = r.GetValue(MaxDeliveries),
            MaxQueuedJobs = r.GetValue(MaxQueued),
        };
        try
        {
            return options.Validate();
        }
        catch (ArgumentOutOfRangeException e)
        {
            string option = e.ParamName switch
            {
                nameof(JobQueueOptions.VisibilityTimeout) => "--visibility-timeout",
                nameof(JobQueueOptions.MaxDeliveries) => "--max-deliveries",
                nameof(JobQueueOptions.MaxQueuedJobs) => "--max-queued",
                _ => "queue options",
            };
            throw new ArgumentException($"{option}: {e.Message.Split(Environment.NewLine)[0]}", e);
        }
    }

    /// <summary>Parses the Redis URI; throws <see cref="ArgumentException"/> naming <c>--redis</c>.</summary>
    public static RedisOptions ParseRedis(string uri)
    {
        try
        {
            var options = RedisOptions.Parse(uri);
            options.ClientName ??= "genart-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
            return options;
        }
        catch (FormatException e)
        {
            throw new ArgumentException("--redis: " + e.Message, e);
        }
    }

    /// <summary>Connects, retrying until Redis answers or <paramref name="ct"/> fires, so processes may start in any order.</summary>
    public static async Task<RedisJobQueue> ConnectAsync(RedisOptions redis, JobQueueOptions options, string keyPrefix, Action<string> log, CancellationToken ct)
    {
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                return await RedisJobQueue.ConnectAsync(redis, options, keyPrefix: keyPrefix, cancellationToken: ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException && !ct.IsCancellationRequested)
            {
                if (attempt == 1 || attempt % 10 == 0) log($"waiting for Redis at {redis.EndPoint}: {e.Message}");
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(200 * attempt, 2000)), ct).ConfigureAwait(false);
            }
        }
    }
}

/// <summary>Durations on the command line: <c>500ms</c>, <c>30s</c>, <c>2m</c>, <c>1h</c>, or plain seconds.</summary>
internal static class Duration
{
    public static TimeSpan Parse(string text, string option)
    {
        string s = text.Trim().ToLowerInvariant();
        (string number, double scale) = s switch
        {
            _ when s.EndsWith("ms", StringComparison.Ordinal) => (s[..^2], 0.001),
            _ when s.EndsWith('s') => (s[..^1], 1.0),
            _ when s.EndsWith('m') => (s[..^1], 60.0),
            _ when s.EndsWith('h') => (s[..^1], 3600.0),
            _ => (s, 1.0),
        };
        if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || !double.IsFinite(value) || value < 0)
            throw new ArgumentException($"{option}: '{text}' is not a duration (e.g. 500ms, 30s, 2m)");
        return TimeSpan.FromSeconds(value * scale);
    }
}
