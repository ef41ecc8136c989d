namespace GenArt.Redis.Internal;

/// <summary>
/// Refuses generic commands that would change the shared connection for every other caller, or break the
/// one-reply-per-command order that pipelining relies on.
/// </summary>
internal static class SharedConnectionGuard
{
    private static readonly Dictionary<string, string> Refused = new(StringComparer.OrdinalIgnoreCase)
    {
        ["SUBSCRIBE"] = "use SubscribeAsync, which subscribes on a connection of its own",
        ["PSUBSCRIBE"] = "use SubscribeAsync, which subscribes on a connection of its own",
        ["SSUBSCRIBE"] = "sharded Pub/Sub is not supported",
        ["MONITOR"] = "it turns the connection into an endless stream of replies",
        ["MULTI"] = "other callers' commands would land inside the transaction; use CreateTransaction",
        ["EXEC"] = "use CreateTransaction",
        ["DISCARD"] = "use CreateTransaction",
        ["WATCH"] = "another caller's EXEC would consume it; WATCH is not supported on the shared connection",
        ["UNWATCH"] = "WATCH is not supported on the shared connection",
        ["SELECT"] = "it would switch the database for every caller; set the database in the connection string",
        ["HELLO"] = "the protocol is negotiated on connect; set it in the connection string",
        ["RESET"] = "it would reset authentication and the database for every caller",
        ["QUIT"] = "dispose the client instead",
    };

    public static void Check(string command, IReadOnlyList<RedisValue> args)
    {
        // HELLO without arguments only reports server information and changes nothing.
        if (Refused.TryGetValue(command, out string? why) && !(command.Equals("HELLO", StringComparison.OrdinalIgnoreCase) && args.Count == 0))
            throw new ArgumentException($"{command.ToUpperInvariant()} cannot run on the shared connection: {why}.", nameof(command));
        // CLIENT REPLY OFF|SKIP would leave commands without replies and misalign every later one.
        if (command.Equals("CLIENT", StringComparison.OrdinalIgnoreCase) && args.Count > 0
            && args[0].ToString().Equals("REPLY", StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException("CLIENT REPLY cannot run on the shared connection: replies are matched to commands in order.", nameof(command));
    }
}
