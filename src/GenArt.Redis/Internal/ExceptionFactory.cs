namespace GenArt.Redis.Internal;

/// <summary>
/// Every connection-level error this client raises, in one place, so the messages stay consistent and always name
/// the endpoint and, where there is one, the command.
/// </summary>
internal static class ExceptionFactory
{
    // Connecting.
    public static RedisConnectionException CannotConnect(string endPoint, System.Net.Sockets.SocketException e) =>
        new($"Cannot connect to Redis at {endPoint}: {e.SocketErrorCode} ({e.Message}).", e);

    public static RedisConnectionException ConnectTimedOut(string endPoint, TimeSpan timeout) =>
        new($"Connecting to Redis at {endPoint} timed out after {timeout.TotalMilliseconds:0} ms.");

    public static RedisConnectionException TlsFailed(string endPoint, Exception e) =>
        new($"TLS handshake with Redis at {endPoint} failed: {e.Message}", e);

    public static RedisConnectionException SetupTimedOut(string endPoint, TimeSpan timeout) =>
        new($"Setting up the connection to Redis at {endPoint} (AUTH/HELLO/SELECT) timed out after {timeout.TotalMilliseconds:0} ms.");

    public static RedisConnectionException SetupRefused(string endPoint, RedisServerException server) =>
        new($"Redis at {endPoint} refused the connection setup ({server.Command}): {server.ServerMessage}", server);

    public static RedisConnectionException SetupFailed(string endPoint, Exception e) =>
        new($"Setting up the connection to Redis at {endPoint} failed: {e.Message}", e);

    public static RedisConnectionException ClosedDuringSetup(string endPoint, Exception? reason) =>
        new($"The connection to Redis at {endPoint} closed during setup.", reason);

    // A connection ending.
    public static RedisConnectionException ServerClosed(string endPoint, string role) =>
        new($"Redis at {endPoint} closed the {role} connection.");

    public static RedisConnectionException InvalidData(string endPoint, RedisProtocolException e) =>
        new($"Redis at {endPoint} sent invalid data: {e.Message}", e);

    public static RedisConnectionException ReadFailed(string endPoint, Exception e) =>
        new($"Reading from Redis at {endPoint} failed: {e.Message}", e);

    public static RedisConnectionException WriteFailed(string endPoint, Exception e) =>
        new($"Writing to Redis at {endPoint} failed: {e.Message}", e);

    public static RedisConnectionException ClosedByClient(string endPoint, string role) =>
        new($"The {role} connection to {endPoint} was closed by the client.");

    public static RedisConnectionException CancelledInFlight(string role, string command) =>
        new($"The {role} connection was closed because {command} was cancelled in flight.");

    public static RedisConnectionException RecycledAfterTimeout(string endPoint, string role, string command, TimeSpan timeout) =>
        new($"The {role} connection to {endPoint} was recycled because {command} timed out after " +
            $"{timeout.TotalMilliseconds:0} ms; later replies could no longer be matched to their commands.");

    /// <summary>What a command in flight gets when its connection ends for <paramref name="reason"/>.</summary>
    public static RedisConnectionException CommandLost(string endPoint, string command, Exception reason) =>
        new($"Redis {command} on {endPoint} did not complete: {reason.Message}", reason);

    public static RedisProtocolException UnsolicitedReply(RedisReply reply) =>
        new($"RESP protocol error: received {reply.Describe()} while no command was waiting for a reply.");

    // Commands that were never sent.
    public static RedisConnectionException Unavailable(string endPoint, string command, Exception? lastError) =>
        new($"Redis {command} not sent: Redis at {endPoint} is unavailable and the client is reconnecting" +
            (lastError is null ? "." : $" (last error: {lastError.Message})"), lastError);

    public static RedisTimeoutException OutputBufferFull(string command, TimeSpan timeout) =>
        new(command, timeout, $"Redis {command} was not sent: the output buffer stayed full for {timeout.TotalMilliseconds:0} ms.");

    public static RedisTimeoutException BlockingConnectionsBusy(string command, int connections, TimeSpan timeout) =>
        new(command, timeout,
            $"Redis {command} was not sent: all {connections} blocking connections stayed busy for " +
            $"{timeout.TotalMilliseconds:0} ms (MaxBlockingConnections).");
}
