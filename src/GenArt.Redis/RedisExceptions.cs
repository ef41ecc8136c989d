namespace GenArt.Redis;

/// <summary>Base type of every error this client raises.</summary>
public class RedisException : Exception
{
    public RedisException(string message) : base(message) { }

    public RedisException(string message, Exception? inner) : base(message, inner) { }
}

/// <summary>
/// The server answered a command with an error reply (<c>-ERR ...</c>, <c>-WRONGTYPE ...</c>).
/// The connection stays healthy; retrying the same command will fail the same way.
/// </summary>
public sealed class RedisServerException : RedisException
{
    public RedisServerException(string command, string serverMessage)
        : base($"Redis {command} failed: {serverMessage}")
    {
        Command = command;
        ServerMessage = serverMessage;
        int space = serverMessage.IndexOf(' ');
        ErrorCode = space > 0 ? serverMessage[..space] : serverMessage;
    }

    /// <summary>The command that failed, e.g. <c>XGROUP CREATE</c>.</summary>
    public string Command { get; }

    /// <summary>The server's message without the leading <c>-</c>.</summary>
    public string ServerMessage { get; }

    /// <summary>The first word of the message by convention, e.g. <c>ERR</c>, <c>WRONGTYPE</c>, <c>NOSCRIPT</c>, <c>BUSYGROUP</c>.</summary>
    public string ErrorCode { get; }
}

/// <summary>
/// No usable connection: Redis is unreachable, the connection dropped, or it was recycled.
/// For a command that was already sent, the server may or may not have executed it.
/// </summary>
public sealed class RedisConnectionException : RedisException
{
    public RedisConnectionException(string message, Exception? inner = null) : base(message, inner) { }
}

/// <summary>
/// A command got no reply within its timeout. The command may still run on the server; the
/// connection it was sent on has been closed because later replies could no longer be matched.
/// </summary>
public sealed class RedisTimeoutException : RedisException
{
    public RedisTimeoutException(string command, TimeSpan timeout)
        : this(command, timeout, $"Redis {command} timed out after {timeout.TotalMilliseconds:0} ms; the connection was recycled.")
    {
    }

    public RedisTimeoutException(string command, TimeSpan timeout, string message)
        : base(message)
    {
        Command = command;
        Timeout = timeout;
    }

    public string Command { get; }

    public TimeSpan Timeout { get; }
}

/// <summary>The server sent bytes that are not valid RESP, or a reply of an unexpected shape.</summary>
public sealed class RedisProtocolException : RedisException
{
    public RedisProtocolException(string message) : base(message) { }
}
