namespace GenArt.Redis.Internal;

/// <summary>A command ready to send: its display name (for errors) and its full argument vector.</summary>
internal sealed class RedisCommand
{
    public RedisCommand(string name, RedisValue[] parts)
    {
        // Checked here, before anything is queued: RESP has no null argument, and sending "" instead would
        // silently address the empty key.
        for (int i = 0; i < parts.Length; i++)
        {
            if (parts[i].IsNull)
                throw new ArgumentException($"Argument {i} of {name} is null; Redis command arguments must not be null.", nameof(parts));
        }
        Name = name;
        Parts = parts;
    }

    public string Name { get; }

    public RedisValue[] Parts { get; }

    public static RedisCommand Create(string name, params RedisValue[] parts) => new(name, parts);
}

/// <summary>Builds an argument vector whose length is only known as optional arguments are added.</summary>
internal sealed class CommandBuilder(string name, int capacity = 8)
{
    private readonly List<RedisValue> _parts = new(capacity);

    public CommandBuilder Add(RedisValue value)
    {
        _parts.Add(value);
        return this;
    }

    public CommandBuilder AddRange(IEnumerable<RedisValue> values)
    {
        _parts.AddRange(values);
        return this;
    }

    public RedisCommand Build() => new(name, _parts.ToArray());
}
