using System.Collections.Concurrent;
using GenArt.Redis.Tests.Infrastructure;

namespace GenArt.Redis.Tests.Integration;

/// <summary>Concurrent queue traffic while the server is killed and restarted underneath it.</summary>
public sealed class ChaosTests
{
    [Test]
    public async Task Busy_workers_survive_a_server_crash_without_hangs_or_stray_exception_types()
    {
        await using var server = await RedisServerProcess.StartAsync();
        var options = server.Options();
        options.ReconnectBaseDelay = TimeSpan.FromMilliseconds(20);
        options.ReconnectMaxDelay = TimeSpan.FromMilliseconds(200);
        options.CommandTimeout = TimeSpan.FromSeconds(3);
        await using var client = await RedisClient.ConnectAsync(options);
        await client.XGroupCreateAsync("chaos:q", "g", "$", makeStream: true);

        var failed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        client.ConnectionFailed += (_, _) => failed.TrySetResult();
        var phase = 0; // 0 before the crash, 1 while down, 2 after the restart
        var successesAfterRestart = 0;
        var failures = 0;
        var unexpected = new ConcurrentQueue<Exception>();
        using var stop = new CancellationTokenSource();
        // Completes once enough work succeeded after the restart, or as soon as a worker hit an unexpected error.
        var enough = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        async Task WorkerAsync(int id)
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    await client.XAddAsync("chaos:q", [("worker", id)]);
                    await client.IncrAsync($"chaos:count:{id}");
                    var got = await client.XReadGroupAsync("g", $"w{id}", "chaos:q", count: 5, block: TimeSpan.FromMilliseconds(50),
                        cancellationToken: stop.Token);
                    if (got.Count > 0) await client.XAckAsync("chaos:q", "g", got.Select(e => e.Id).ToArray());
                    if (Volatile.Read(ref phase) == 2 && Interlocked.Increment(ref successesAfterRestart) >= 80) enough.TrySetResult();
                }
                catch (RedisServerException e) when (e.ErrorCode == "NOGROUP")
                {
                    // The restarted server has no data; the first worker to notice recreates the group.
                    try
                    {
                        await client.XGroupCreateAsync("chaos:q", "g", "$", makeStream: true);
                    }
                    catch (RedisServerException busy) when (busy.ErrorCode == "BUSYGROUP")
                    {
                        // Another worker was first.
                    }
                }
                catch (Exception e) when (e is RedisConnectionException or RedisTimeoutException)
                {
                    Interlocked.Increment(ref failures);
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception e)
                {
                    unexpected.Enqueue(e);
                    enough.TrySetResult();
                    return;
                }
            }
        }

        var workers = Enumerable.Range(0, 8).Select(i => Task.Run(() => WorkerAsync(i))).ToArray();
        await server.KillAsync();
        Volatile.Write(ref phase, 1);
        await failed.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await server.RestartAsync();
        await client.WaitForConnectionAsync().WaitAsync(TimeSpan.FromSeconds(15));
        Volatile.Write(ref phase, 2);

        await enough.Task.WaitAsync(TimeSpan.FromSeconds(20));
        stop.Cancel();
        await Task.WhenAll(workers).WaitAsync(TimeSpan.FromSeconds(20));

        Assert.That(unexpected, Is.Empty, "only connection and timeout errors while Redis is down");
        Assert.That(failures, Is.GreaterThan(0), "the crash was felt");
        Assert.That(successesAfterRestart, Is.GreaterThanOrEqualTo(80), "work resumed after the restart");
    }
}
