namespace GenArt.Redis;

/// <summary>A message published to a channel this subscription listens to.</summary>
/// <param name="Channel">The channel it was published to.</param>
/// <param name="Message">The payload as published.</param>
/// <param name="Pattern">For pattern subscriptions, the pattern that matched; otherwise null.</param>
public sealed record RedisPubSubMessage(string Channel, RedisValue Message, string? Pattern);
