using GenArt.Redis.Internal;

namespace GenArt.Redis;

/// <summary>
/// Commands run atomically with MULTI/EXEC. They are written back to back on the shared connection, so no other
/// caller's command can land inside the transaction.
/// </summary>
/// <remarks>
/// WATCH is not offered: on a connection shared by many callers, another caller's WATCH or EXEC would interfere.
/// A command the server rejects while queueing (wrong arity, unknown command) aborts the whole transaction with
/// EXECABORT; a command that fails while running (WRONGTYPE) does not, and its slot in the result is an error reply
/// (redis.io, "Transactions", "Errors inside a transaction").
/// </remarks>
public sealed class RedisTransaction
{
    private readonly RedisClient _client;
    private readonly List<RedisCommand> _commands = [];

    internal RedisTransaction(RedisClient client) => _client = client;

    /// <summary>Number of commands queued so far.</summary>
    public int Count => _commands.Count;

    /// <summary>Adds a command; it runs when <see cref="ExecuteAsync"/> is called.</summary>
    public RedisTransaction Add(string command, params RedisValue[] args)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(command);
        var parts = new RedisValue[args.Length + 1];
        parts[0] = command;
        args.CopyTo(parts, 1);
        _commands.Add(new RedisCommand(command.ToUpperInvariant(), parts));
        return this;
    }

    /// <summary>Sends MULTI, the commands and EXEC; returns one reply per command (error replies included).</summary>
    /// <exception cref="RedisServerException">The transaction was aborted (EXECABORT) or MULTI was refused.</exception>
    public async Task<IReadOnlyList<RedisReply>> ExecuteAsync(CancellationToken cancellationToken = default)
    {
        if (_commands.Count == 0) throw new InvalidOperationException("The transaction has no commands.");
        var batch = new List<RedisCommand>(_commands.Count + 2) { RedisCommand.Create("MULTI", "MULTI") };
        batch.AddRange(_commands);
        batch.Add(RedisCommand.Create("EXEC", "EXEC"));
        var replies = await _client.SendTransactionAsync(batch, cancellationToken).ConfigureAwait(false);

        if (replies[0].IsError) throw new RedisServerException("MULTI", replies[0].ToString());
        var exec = replies[^1];
        if (exec.IsError)
        {
            // EXECABORT names no command; report the first queueing error, which is the cause.
            for (int i = 1; i < replies.Length - 1; i++)
            {
                if (replies[i].IsError)
                    throw new RedisServerException("EXEC", $"{exec} ({batch[i].Name}: {replies[i]})");
            }
            throw new RedisServerException("EXEC", exec.ToString());
        }
        if (exec.IsNull) throw new RedisServerException("EXEC", "the transaction was discarded by the server.");
        var results = Replies.Aggregate("EXEC", exec);
        if (results.Length != _commands.Count)
            throw Replies.Unexpected("EXEC", exec, $"{_commands.Count} results");
        return results;
    }
}

public sealed partial class RedisClient
{
    /// <summary>Starts a MULTI/EXEC transaction (see <see cref="RedisTransaction"/>).</summary>
    public RedisTransaction CreateTransaction() => new(this);
}
