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
        if (_messageSink is not null)
        {
            if (TryRouteMessage(reply)) return;
        }
        else if (reply.Kind == RedisReplyKind.Push)
        {
            // RESP3 push data (tracking invalidations, say) answers no command; a connection that subscribed to
            // nothing has no use for it, so it is skipped rather than matched to a pending command.
            return;
        }

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

    /// <summary>
    /// On a subscribed connection, published messages arrive as ["message", channel, payload] or
    /// ["pmessage", pattern, channel, payload] (arrays in RESP2, pushes in RESP3; redis.io "Pub/Sub", wire protocol).
    /// Everything else, (p)subscribe confirmations included, answers a command in order.
    /// </summary>
    private bool TryRouteMessage(RedisReply reply)
    {
        if (reply.Kind is not (RedisReplyKind.Array or RedisReplyKind.Push) || reply.IsNull) return false;
        var items = reply.ElementArray;
        if (items.Length == 3 && !items[0].IsAggregate && items[0].ToString() == "message")
        {
            _messageSink!(new RedisPubSubMessage(items[1].ToString(), items[2].ToValue(), null));
            return true;
        }
        if (items.Length == 4 && !items[0].IsAggregate && items[0].ToString() == "pmessage")
        {
            _messageSink!(new RedisPubSubMessage(items[2].ToString(), items[3].ToValue(), items[1].ToString()));
            return true;
        }
        return false;
    }
}
