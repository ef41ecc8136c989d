using System.Text;
using GenArt.Redis.Tests.Infrastructure;

namespace GenArt.Redis.Tests.Integration;

/// <summary>Servers that never answer, answer garbage, or answer what was not asked.</summary>
public sealed class MisbehavingServerTests
{
    [Test]
    public async Task A_server_that_never_answers_auth_fails_the_connect_after_the_connect_timeout()
    {
        await using var server = new FakeRedisServer(async (stream, stop) =>
        {
            var sink = new byte[1024];
            while (await stream.ReadAsync(sink, stop) > 0) { }
        });
        var options = server.Options();
        options.Password = "secret";
        options.ConnectTimeout = TimeSpan.FromMilliseconds(1000);
        var error = Assert.ThrowsAsync<RedisConnectionException>(() => RedisClient.ConnectAsync(options));
        Assert.That(error!.Message, Does.Contain("(AUTH/HELLO/SELECT) timed out after 1000 ms"));
    }

    [Test]
    public async Task Garbage_from_the_server_fails_the_command_with_the_protocol_error_inside()
    {
        await using var server = new FakeRedisServer(async (stream, stop) =>
        {
            var buffer = new byte[1024];
            if (await stream.ReadAsync(buffer, stop) > 0) await stream.WriteAsync("HTTP/1.1 400 Bad Request\r\n"u8.ToArray(), stop);
            while (await stream.ReadAsync(buffer, stop) > 0) { }
        });
        await using var client = await RedisClient.ConnectAsync(server.Options());
        var error = Assert.ThrowsAsync<RedisConnectionException>(() => client.PingAsync());
        var protocol = error!.InnerException?.InnerException as RedisProtocolException;
        Assert.That(protocol?.Message, Does.Contain("Unknown RESP type byte 0x48 ('H')"));
    }

    [Test]
    public async Task An_unsolicited_reply_breaks_the_connection_instead_of_being_matched_to_a_later_command()
    {
        await using var server = new FakeRedisServer(async (stream, stop) =>
        {
            await stream.WriteAsync(Encoding.ASCII.GetBytes("+SURPRISE\r\n"), stop);
            var buffer = new byte[1024];
            while (await stream.ReadAsync(buffer, stop) > 0) { }
        });
        var failed = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var client = await RedisClient.ConnectAsync(server.Options());
        client.ConnectionFailed += (_, e) => failed.TrySetResult(e.Error);
        var error = await failed.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.That(error?.ToString(), Does.Contain("received SimpleString 'SURPRISE' while no command was waiting for a reply"));
    }

    [Test]
    public async Task A_server_that_stops_answering_mid_pipeline_times_commands_out_instead_of_hanging()
    {
        await using var server = new FakeRedisServer(async (stream, stop) =>
        {
            // Answers the first PING only.
            var buffer = new byte[1024];
            if (await stream.ReadAsync(buffer, stop) > 0) await stream.WriteAsync("+PONG\r\n"u8.ToArray(), stop);
            while (await stream.ReadAsync(buffer, stop) > 0) { }
        });
        var options = server.Options();
        options.CommandTimeout = TimeSpan.FromMilliseconds(1000);
        await using var client = await RedisClient.ConnectAsync(options);
        Assert.That(await client.PingAsync(), Is.EqualTo("PONG"));
        var unanswered = Enumerable.Range(0, 10).Select(_ => client.PingAsync()).ToArray();
        var outcomes = await Task.WhenAll(unanswered.Select(async t =>
        {
            try
            {
                await t.WaitAsync(TimeSpan.FromSeconds(10));
                return "answered";
            }
            catch (RedisException e)
            {
                return e.GetType().Name;
            }
        }));
        Assert.That(outcomes[0], Is.EqualTo(nameof(RedisTimeoutException)), "the oldest command times out");
        Assert.That(outcomes.Skip(1), Is.All.EqualTo(nameof(RedisTimeoutException)).Or.EqualTo(nameof(RedisConnectionException)),
            "the rest time out or fail with the recycled connection; none hangs or is answered");
    }
}
