namespace GenArt.Redis;

public sealed partial class RedisClient
{
    /// <summary>
    /// Subscribes to channels (SUBSCRIBE) and patterns (PSUBSCRIBE) on a connection of its own; read the messages from
    /// <see cref="RedisSubscription.Messages"/>. Publish with <see cref="PublishAsync"/>.
    /// </summary>
    /// <param name="capacity">Messages buffered for a slow reader before the oldest are dropped.</param>
    /// <exception cref="RedisConnectionException">The subscriber connection could not be made.</exception>
    public Task<RedisSubscription> SubscribeAsync(IReadOnlyList<string> channels, IReadOnlyList<string>? patterns = null,
        int capacity = 10_000, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed.IsCancellationRequested, this);
        ArgumentNullException.ThrowIfNull(channels);
        return RedisSubscription.StartAsync(_options, channels, patterns ?? [], capacity, cancellationToken);
    }
}
