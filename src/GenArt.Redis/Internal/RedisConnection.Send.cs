using System.Buffers;

namespace GenArt.Redis.Internal;

internal sealed partial class RedisConnection
{
    /// <summary>Writes one command and returns its reply.</summary>
    /// <param name="cancelInFlight">
    /// If true, cancelling after the command was written closes this connection (its reply would otherwise
    /// arrive later and be taken for the next command's). Only for connections used by one caller at a time.
    /// Otherwise the token is honoured only until the command is written.
    /// </param>
    public Task<RedisReply> SendAsync(RedisCommand command, TimeSpan timeout, CancellationToken cancellationToken = default,
        bool cancelInFlight = false)
    {
        if (cancellationToken.IsCancellationRequested) return Task.FromCanceled<RedisReply>(cancellationToken);
        var pending = new PendingReply(command, timeout, errorsAsReplies: false);
        if (cancelInFlight && cancellationToken.CanBeCanceled) return SendCancellableAsync(pending, cancellationToken);
        ValueTask write;
        try
        {
            write = WriteAsync([pending], timeout, cancellationToken);
        }
        catch (Exception e)
        {
            return Task.FromException<RedisReply>(e);
        }
        // The common case: the write lock was free and the buffer had room, so no extra state machine is needed.
        return write.IsCompletedSuccessfully ? pending.Task : AwaitWriteThenReplyAsync(write, pending);
    }

    private static async Task<RedisReply> AwaitWriteThenReplyAsync(ValueTask write, PendingReply pending)
    {
        await write.ConfigureAwait(false);
        return await pending.Task.ConfigureAwait(false);
    }

    private async Task<RedisReply> SendCancellableAsync(PendingReply pending, CancellationToken cancellationToken)
    {
        await WriteAsync([pending], pending.Timeout, cancellationToken).ConfigureAwait(false);
        using var registration = cancellationToken.Register(() =>
        {
            if (pending.TrySetCanceled(cancellationToken))
                Fault(ExceptionFactory.CancelledInFlight(Role, pending.Command.Name));
        });
        return await pending.Task.ConfigureAwait(false);
    }

    /// <summary>Writes several commands back to back, with nothing from other callers between them (MULTI ... EXEC).</summary>
    public async Task<Task<RedisReply>[]> SendBatchAsync(IReadOnlyList<RedisCommand> commands, TimeSpan timeout,
        CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var batch = new PendingReply[commands.Count];
        for (int i = 0; i < batch.Length; i++)
            batch[i] = new PendingReply(commands[i], timeout, errorsAsReplies: true);
        await WriteAsync(batch, timeout, cancellationToken).ConfigureAwait(false);
        return Array.ConvertAll(batch, p => p.Task);
    }

    private async ValueTask WriteAsync(PendingReply[] batch, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (!_writeLock.Wait(0))
        {
            // Another caller is writing, or the output buffer is full and its writer waits for room.
            // Nothing of this command has been sent yet, so running out of time here recycles nothing.
            if (!await _writeLock.WaitAsync(timeout, cancellationToken).ConfigureAwait(false))
                throw ExceptionFactory.OutputBufferFull(batch[0].Command.Name, timeout);
        }
        try
        {
            lock (_pendingLock)
            {
                if (_fault is { } fault) throw ExceptionFactory.CommandLost(_options.EndPoint, batch[0].Command.Name, fault);
                foreach (var pending in batch) _pending.Enqueue(pending);
            }
            var writer = _outbound.Writer;
            foreach (var pending in batch)
                RespWriter.WriteCommand(writer, pending.Command.Parts);
            // Usually completes at once; it waits only when the send loop is more than 4 MB behind.
            var flush = writer.FlushAsync(CancellationToken.None);
            if (!flush.IsCompletedSuccessfully) await flush.ConfigureAwait(false);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private async Task SendLoopAsync()
    {
        var reader = _outbound.Reader;
        byte[]? coalesce = null;
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync().ConfigureAwait(false);
                if (result.IsCanceled) break;
                var buffer = result.Buffer;
                if (buffer.IsSingleSegment)
                {
                    await _stream.WriteAsync(buffer.First).ConfigureAwait(false);
                }
                else
                {
                    // One write per batch: with TLS each write becomes its own record.
                    coalesce ??= new byte[64 * 1024];
                    foreach (var chunk in Chunks(buffer, coalesce.Length))
                    {
                        chunk.CopyTo(coalesce);
                        await _stream.WriteAsync(coalesce.AsMemory(0, (int)chunk.Length)).ConfigureAwait(false);
                    }
                }
                await _stream.FlushAsync().ConfigureAwait(false);
                reader.AdvanceTo(buffer.End);
                if (result.IsCompleted) break;
            }
        }
        catch (Exception e)
        {
            // Any failure here leaves written commands unanswered; faulting fails them instead of letting them hang.
            Fault(ExceptionFactory.WriteFailed(_options.EndPoint, e));
        }
        finally
        {
            await reader.CompleteAsync().ConfigureAwait(false);
        }
    }

    private static IEnumerable<ReadOnlySequence<byte>> Chunks(ReadOnlySequence<byte> buffer, int size)
    {
        while (buffer.Length > size)
        {
            yield return buffer.Slice(0, size);
            buffer = buffer.Slice(size);
        }
        yield return buffer;
    }
}
