using GenArt.Redis.Internal;

namespace GenArt.Redis;

public sealed partial class RedisClient
{
    /// <summary>XINFO STREAM: length, last id, group count, first and last entries; every field the server sent is in <see cref="StreamInfo.Fields"/>.</summary>
    public async Task<StreamInfo> XInfoStreamAsync(string key, CancellationToken cancellationToken = default)
    {
        const string name = "XINFO STREAM";
        var reply = await SendAsync(RedisCommand.Create(name, "XINFO", "STREAM", key), cancellationToken).ConfigureAwait(false);
        var map = Replies.Map(name, reply);
        return new StreamInfo(
            Replies.Required(name, map, "length").ToInt64(),
            Replies.Required(name, map, "last-generated-id").ToString(),
            Replies.Required(name, map, "groups").ToInt64(),
            map.TryGetValue("first-entry", out var first) ? Replies.Entry(name, first) : null,
            map.TryGetValue("last-entry", out var last) ? Replies.Entry(name, last) : null,
            map);
    }

    /// <summary>XINFO GROUPS: every consumer group of the stream.</summary>
    public async Task<IReadOnlyList<StreamGroupInfo>> XInfoGroupsAsync(string key, CancellationToken cancellationToken = default)
    {
        const string name = "XINFO GROUPS";
        var reply = await SendAsync(RedisCommand.Create(name, "XINFO", "GROUPS", key), cancellationToken).ConfigureAwait(false);
        var result = new List<StreamGroupInfo>();
        foreach (var item in Replies.Aggregate(name, reply))
        {
            var map = Replies.Map(name, item);
            result.Add(new StreamGroupInfo(
                Replies.Required(name, map, "name").ToString(),
                Replies.Required(name, map, "consumers").ToInt64(),
                Replies.Required(name, map, "pending").ToInt64(),
                Replies.Required(name, map, "last-delivered-id").ToString(),
                Replies.OptionalInt64(map, "entries-read"),
                Replies.OptionalInt64(map, "lag")));
        }
        return result;
    }

    /// <summary>XINFO CONSUMERS: every consumer of the group with its pending count and idle time.</summary>
    public async Task<IReadOnlyList<StreamConsumerInfo>> XInfoConsumersAsync(string key, string group,
        CancellationToken cancellationToken = default)
    {
        const string name = "XINFO CONSUMERS";
        var reply = await SendAsync(RedisCommand.Create(name, "XINFO", "CONSUMERS", key, group), cancellationToken).ConfigureAwait(false);
        var result = new List<StreamConsumerInfo>();
        foreach (var item in Replies.Aggregate(name, reply))
        {
            var map = Replies.Map(name, item);
            result.Add(new StreamConsumerInfo(
                Replies.Required(name, map, "name").ToString(),
                Replies.Required(name, map, "pending").ToInt64(),
                TimeSpan.FromMilliseconds(Replies.Required(name, map, "idle").ToInt64())));
        }
        return result;
    }
}
