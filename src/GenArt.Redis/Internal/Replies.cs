namespace GenArt.Redis.Internal;

/// <summary>Turns raw replies into the typed results of command methods; a wrong shape is a protocol error naming the command.</summary>
internal static class Replies
{
    public static RedisProtocolException Unexpected(string command, RedisReply reply, string expected) =>
        new($"Unexpected reply to {command}: expected {expected} but got {reply.Describe()}.");

    public static void ExpectOk(string command, RedisReply reply)
    {
        if (reply.Kind != RedisReplyKind.SimpleString || reply.ToString() != "OK") throw Unexpected(command, reply, "OK");
    }

    public static RedisReply[] Aggregate(string command, RedisReply reply)
    {
        if (!reply.IsAggregate) throw Unexpected(command, reply, "an array");
        return reply.ElementArray;
    }

    /// <summary>Key/value pairs from a RESP2 flat array or a RESP3 map.</summary>
    public static IEnumerable<KeyValuePair<string, RedisReply>> Pairs(string command, RedisReply reply)
    {
        var items = Aggregate(command, reply);
        if (items.Length % 2 != 0) throw Unexpected(command, reply, "field/value pairs");
        for (int i = 0; i < items.Length; i += 2)
            yield return new KeyValuePair<string, RedisReply>(items[i].ToString(), items[i + 1]);
    }

    public static Dictionary<string, RedisReply> Map(string command, RedisReply reply)
    {
        var map = new Dictionary<string, RedisReply>(StringComparer.Ordinal);
        foreach (var pair in Pairs(command, reply)) map[pair.Key] = pair.Value;
        return map;
    }

    public static StreamEntry? Entry(string command, RedisReply reply)
    {
        if (reply.IsNull) return null;
        var parts = Aggregate(command, reply);
        if (parts.Length != 2) throw Unexpected(command, reply, "[id, fields]");
        if (parts[1].IsNull) return new StreamEntry(parts[0].ToString(), null);
        var fields = new List<KeyValuePair<string, RedisValue>>();
        foreach (var pair in Pairs(command, parts[1]))
            fields.Add(new KeyValuePair<string, RedisValue>(pair.Key, pair.Value.ToValue()));
        return new StreamEntry(parts[0].ToString(), fields);
    }

    public static IReadOnlyList<StreamEntry> Entries(string command, RedisReply reply)
    {
        if (reply.IsNull) return [];
        var items = Aggregate(command, reply);
        var entries = new StreamEntry[items.Length];
        for (int i = 0; i < items.Length; i++)
            entries[i] = Entry(command, items[i]) ?? throw Unexpected(command, items[i], "a stream entry");
        return entries;
    }

    /// <summary>XREAD/XREADGROUP: null when nothing arrived; a RESP2 array of [stream, entries] or a RESP3 map.</summary>
    public static IReadOnlyList<StreamReadResult> ReadResults(string command, RedisReply reply)
    {
        if (reply.IsNull) return [];
        var results = new List<StreamReadResult>();
        if (reply.Kind == RedisReplyKind.Map)
        {
            foreach (var pair in Pairs(command, reply))
                results.Add(new StreamReadResult(pair.Key, Entries(command, pair.Value)));
            return results;
        }
        foreach (var item in Aggregate(command, reply))
        {
            var parts = Aggregate(command, item);
            if (parts.Length != 2) throw Unexpected(command, item, "[stream, entries]");
            results.Add(new StreamReadResult(parts[0].ToString(), Entries(command, parts[1])));
        }
        return results;
    }

    public static string[] Strings(string command, RedisReply reply)
    {
        if (reply.IsNull) return [];
        return Array.ConvertAll(Aggregate(command, reply), r => r.ToString());
    }

    public static long? OptionalInt64(Dictionary<string, RedisReply> map, string key) =>
        map.TryGetValue(key, out var value) && !value.IsNull ? value.ToInt64() : null;

    public static RedisReply Required(string command, Dictionary<string, RedisReply> map, string key) =>
        map.TryGetValue(key, out var value)
            ? value
            : throw new RedisProtocolException($"Unexpected reply to {command}: field '{key}' is missing.");
}
