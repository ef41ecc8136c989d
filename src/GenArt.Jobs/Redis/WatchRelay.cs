using System.Globalization;
using System.Threading.Channels;
using GenArt.Redis;

namespace GenArt.Jobs.Redis;

/// <summary>
/// Follows the event streams of every job watched through one queue with a few blocking connections: each relay
/// loop waits in one XREAD BLOCK over up to <see cref="StreamsPerLoop"/> streams and hands what it reads to the
/// watchers of each stream.
/// </summary>
/// <remarks>
/// A front end relaying a thousand Generate calls thus holds at most <see cref="MaxLoops"/> blocking connections
/// rather than a thousand. A loop's stream set is fixed while it blocks, so a new watcher wakes its loop by
/// adding to the loop's own wake stream, which every read of that loop includes; the loop then reads again with
/// the new set. Each stream is read from the last sequence the loop has seen, so nothing is skipped; watchers
/// drop what they already have by sequence number. When Redis is unreachable the loops retry after the client
/// reconnects and carry on from where they were.
/// </remarks>
internal sealed class WatchRelay : IAsyncDisposable
{
    internal const int MaxLoops = 8;
    internal const int StreamsPerLoop = 128;
    private static readonly TimeSpan Block = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan WakeStreamTtl = TimeSpan.FromHours(1);

    private readonly RedisClient _client;
    private readonly RedisKeys _keys;
    private readonly string _id = Guid.NewGuid().ToString("N");
    private readonly Lock _gate = new();
    private readonly List<Loop> _loops = [];
    private readonly CancellationTokenSource _stop = new();

    public WatchRelay(RedisClient client, RedisKeys keys)
    {
        _client = client;
        _keys = keys;
    }

    /// <summary>Blocking connections in use (one per loop); for tests and metrics.</summary>
    public int LoopCount
    {
        get
        {
            lock (_gate)
                return _loops.Count;
        }
    }

    /// <summary>Starts relaying <paramref name="streamKey"/> from after <paramref name="afterSequence"/>.</summary>
    public Subscription Subscribe(string streamKey, long afterSequence)
    {
        Loop loop;
        Subscription subscription;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_stop.IsCancellationRequested, this);
            // The loop that already follows this stream, else the least busy one, else a new one while allowed.
            loop = _loops.FirstOrDefault(l => l.Follows(streamKey))
                ?? (_loops.Count < MaxLoops && _loops.All(l => l.StreamCount >= StreamsPerLoop)
                    ? null
                    : _loops.MinBy(l => l.StreamCount))
                ?? AddLoop();
            subscription = new Subscription(this, loop, streamKey);
            loop.Add(subscription, afterSequence);
        }
        loop.Wake();
        return subscription;
    }

    private Loop AddLoop()
    {
        var loop = new Loop(this, _keys.RelayWake(_id, _loops.Count));
        _loops.Add(loop);
        loop.Start();
        return loop;
    }

    public async ValueTask DisposeAsync()
    {
        Loop[] loops;
        lock (_gate)
        {
            if (_stop.IsCancellationRequested)
                return;
            _stop.Cancel();
            loops = [.. _loops];
        }
        foreach (var loop in loops)
            await loop.StopAsync().ConfigureAwait(false);
    }

    /// <summary>One watcher's feed: the entries of its stream, in order, possibly with some it already has.</summary>
    internal sealed class Subscription(WatchRelay relay, Loop loop, string streamKey) : IDisposable
    {
        private readonly Channel<StreamEntry> _events = Channel.CreateUnbounded<StreamEntry>(
            new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });

        public string StreamKey { get; } = streamKey;

        public ChannelReader<StreamEntry> Events => _events.Reader;

        internal void Deliver(StreamEntry entry) => _events.Writer.TryWrite(entry);

        /// <summary>
        /// Tells the relay the watcher already has every event up to <paramref name="sequence"/>, so its loop need
        /// not read them again; only applied while this is the stream's only watcher (another may still need them).
        /// </summary>
        public void SkipTo(long sequence)
        {
            lock (relay._gate)
                loop.SkipTo(this, sequence);
        }

        public void Dispose()
        {
            lock (relay._gate)
                loop.Remove(this);
            _events.Writer.TryComplete();
        }
    }

    /// <summary>One blocking connection's worth of streams; its state is guarded by the relay's lock.</summary>
    internal sealed class Loop(WatchRelay relay, string wakeKey)
    {
        private readonly Dictionary<string, (long Cursor, List<Subscription> Watchers)> _streams = new(StringComparer.Ordinal);
        private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private bool _blocking;
        private bool _wakeSent;
        private Task _run = Task.CompletedTask;

        public int StreamCount => _streams.Count;

        public bool Follows(string key) => _streams.ContainsKey(key);

        public void Start() => _run = Task.Run(RunAsync);

        public void Add(Subscription subscription, long afterSequence)
        {
            if (_streams.TryGetValue(subscription.StreamKey, out var stream))
            {
                stream.Watchers.Add(subscription);
                return;
            }
            _streams[subscription.StreamKey] = (afterSequence, [subscription]);
        }

        public void SkipTo(Subscription subscription, long sequence)
        {
            if (_streams.TryGetValue(subscription.StreamKey, out var stream) && stream.Watchers.Count == 1
                && stream.Cursor < sequence)
                _streams[subscription.StreamKey] = (sequence, stream.Watchers);
        }

        public void Remove(Subscription subscription)
        {
            if (_streams.TryGetValue(subscription.StreamKey, out var stream) && stream.Watchers.Remove(subscription)
                && stream.Watchers.Count == 0)
                _streams.Remove(subscription.StreamKey);
        }

        /// <summary>
        /// Makes the loop read again with its current stream set. Watchers that join while one wake-up is on its
        /// way share it, so a burst of new watchers costs one write.
        /// </summary>
        public void Wake()
        {
            bool send;
            lock (relay._gate)
            {
                send = _blocking && !_wakeSent;
                _wakeSent |= send;
                _changed.TrySetResult();
            }
            if (send)
                _ = WakeBlockedReadAsync();
        }

        private async Task WakeBlockedReadAsync()
        {
            try
            {
                await relay._client.XAddAsync(wakeKey, [("w", "1")], trim: StreamTrim.MaxLength(16, approximate: true))
                    .ConfigureAwait(false);
            }
            catch (RedisException)
            {
                // Redis is down: the blocked read fails too, and the loop reads the new set once it is back.
            }
            catch (ObjectDisposedException)
            {
                // Shutting down.
            }
        }

        public async Task StopAsync()
        {
            lock (relay._gate)
                _changed.TrySetResult();
            await _run.ConfigureAwait(false);
        }

        private async Task RunAsync()
        {
            var stop = relay._stop.Token;
            string? wakeCursor = null;
            var failures = 0;
            var refreshTtl = false;
            var ttlRefreshedAt = Environment.TickCount64;
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    // A fixed starting point for the wake stream, so a wake-up added while this loop is between
                    // reads is still seen by the next one.
                    if (wakeCursor is null)
                    {
                        wakeCursor = await relay._client.XAddAsync(wakeKey, [("w", "0")],
                            trim: StreamTrim.MaxLength(16, approximate: true), cancellationToken: stop).ConfigureAwait(false);
                        await relay._client.PExpireAsync(wakeKey, WakeStreamTtl, stop).ConfigureAwait(false);
                    }

                    Task changed;
                    List<(string Key, string Id)> streams;
                    lock (relay._gate)
                    {
                        changed = _changed.Task;
                        if (changed.IsCompleted)
                            changed = (_changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
                        streams = new List<(string, string)>(_streams.Count + 1) { (wakeKey, wakeCursor!) };
                        foreach (var (key, stream) in _streams)
                            streams.Add((key, "0-" + stream.Cursor.ToString(CultureInfo.InvariantCulture)));
                        _blocking = streams.Count > 1;
                        _wakeSent = false;
                    }
                    if (streams.Count == 1)
                    {
                        // Nobody to relay for: wait without holding a connection.
                        await changed.WaitAsync(stop).ConfigureAwait(false);
                        continue;
                    }

                    if (refreshTtl && Environment.TickCount64 - ttlRefreshedAt > (long)(WakeStreamTtl / 4).TotalMilliseconds)
                    {
                        // The wake stream outlives this process by at most its TTL; refresh it while in use.
                        await relay._client.PExpireAsync(wakeKey, WakeStreamTtl, stop).ConfigureAwait(false);
                        ttlRefreshedAt = Environment.TickCount64;
                        refreshTtl = false;
                    }
                    var results = await relay._client.XReadAsync(streams, count: 256, block: Block, cancellationToken: stop)
                        .ConfigureAwait(false);
                    failures = 0;
                    lock (relay._gate)
                    {
                        _blocking = false;
                        foreach (var result in results)
                        {
                            if (result.Entries.Count == 0)
                                continue;
                            if (result.Stream == wakeKey)
                            {
                                wakeCursor = result.Entries[^1].Id;
                                refreshTtl = true;
                                continue;
                            }
                            if (!_streams.TryGetValue(result.Stream, out var stream))
                                continue;
                            foreach (var entry in result.Entries)
                            {
                                foreach (var watcher in stream.Watchers)
                                    watcher.Deliver(entry);
                            }
                            _streams[result.Stream] = (Math.Max(stream.Cursor, SequenceOf(result.Entries[^1].Id)), stream.Watchers);
                        }
                    }
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception e) when (e is RedisException)
                {
                    lock (relay._gate)
                        _blocking = false;
                    // Redis is down or restarting: wait for the client to reconnect, then read again from the same
                    // cursors. The delay only spaces out attempts while the server refuses (e.g. LOADING).
                    failures++;
                    try
                    {
                        await relay._client.WaitForConnectionAsync(stop).ConfigureAwait(false);
                        await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(1000, 50 * failures)), stop).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        return;
                    }
                }
                catch (ObjectDisposedException)
                {
                    return;
                }
            }
        }

        private static long SequenceOf(string id) => RedisJobQueue.SequenceOf(id);
    }
}
