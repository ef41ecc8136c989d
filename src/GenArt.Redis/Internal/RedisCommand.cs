namespace GenArt.Redis.Internal;

/// <summary>A command ready to send: its display name (for errors) and its full argument vector.</summary>
internal sealed class RedisCommand(string name, RedisValue[] parts)
{
    public string Name { get; } = name;

    public RedisValue[] Parts { get; } = parts;

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
