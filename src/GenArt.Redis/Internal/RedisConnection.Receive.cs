namespace GenArt.Redis.Internal;

internal sealed partial class RedisConnection
{
    private async Task ReceiveLoopAsync()
    {
        try
        {
            while (true)
            {
                var reply = await _replies.ReadAsync().ConfigureAwait(false);
                if (reply is null)
                {
                    Fault(ExceptionFactory.ServerClosed(_options.EndPoint, Role));
                    return;
                }
                Dispatch(reply);
            }
        }
        catch (RedisProtocolException e)
        {
            Fault(ExceptionFactory.InvalidData(_options.EndPoint, e));
        }
        catch (Exception e)
        {
            // Any failure here leaves replies unmatched; faulting is the only way no caller waits forever.
            Fault(ExceptionFactory.ReadFailed(_options.EndPoint, e));
        }
        finally
        {
            await _input.CompleteAsync().ConfigureAwait(false);
        }
    }

    private void Dispatch(RedisReply reply)
    {
        // RESP3 push data (pub/sub messages, tracking invalidations) answers no command. This client subscribes
        // to nothing, so any push is skipped rather than matched to a pending command.
        if (reply.Kind == RedisReplyKind.Push) return;

        PendingReply? pending;
        lock (_pendingLock)
        {
            _pending.TryDequeue(out pending);
        }
        if (pending is null)
            throw ExceptionFactory.UnsolicitedReply(reply);

        if (reply.IsError && !pending.ErrorsAsReplies)
            pending.TrySetException(new RedisServerException(pending.Command.Name, reply.ToString()));
        else
            pending.TrySetResult(reply);
    }
}
