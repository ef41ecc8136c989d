using System.Diagnostics;
using System.IO.Compression;
using System.Net;
using GenArt.Rpc.Client;
using GenArt.Rpc.Tests.Infrastructure;
using Google.Protobuf;
using Grpc.Testing;

namespace GenArt.Rpc.Tests;

/// <summary>Server behaviours on the wire: errors, limits, deadlines, cancellation, metadata, content types.</summary>
[TestFixture]
[NonParallelizable]
public sealed class ServerProtocolTests
{
    private TestServer _server = null!;
    private ProbeService _probe = null!;
    private RpcChannel _channel = null!;
    private RawHttp _raw = null!;

    [SetUp]
    public async Task Start()
    {
        _probe = new ProbeService();
        _server = await TestServer.StartAsync(map: app => _probe.Map(app));
        _channel = _server.CreateChannel();
        _raw = new RawHttp(_server.H2cPort);
    }

    [TearDown]
    public async Task Stop()
    {
        _raw.Dispose();
        _channel.Dispose();
        await _server.DisposeAsync();
    }

    private static byte[] EmptyFrame => RawHttp.Frame(Array.Empty<byte>());

    [Test]
    public async Task HandlerException_IsInternalWithGenericMessage_AndLoggedWithDetail()
    {
        var ex = Assert.ThrowsAsync<RpcException>(async () => await _channel.UnaryAsync(ProbeService.Throw, new Empty()))!;
        Assert.That(ex.StatusCode, Is.EqualTo(StatusCode.Internal));
        Assert.That(ex.Status.Detail, Is.EqualTo("Exception was thrown by handler."));
        Assert.That(ex.Status.Detail, Does.Not.Contain("secret"));
        // The handler's failure is logged as the call ends; wait for that line (bounded), not for a fixed time.
        var logged = _server.Logs.WaitForLineAsync(l => l.Contains("secret detail 42") && l.Contains("/genart.test.Probe/Throw"));
        Assert.That(await Task.WhenAny(logged, Task.Delay(TimeSpan.FromSeconds(10))), Is.SameAs(logged), string.Join("\n", _server.Logs.Lines));
    }

    [Test]
    public async Task StatusSetOnContext_IsSentWithTrailers()
    {
        var call = _channel.UnaryAsync(ProbeService.SetStatus, new Empty());
        var ex = Assert.ThrowsAsync<RpcException>(async () => await call)!;
        Assert.That(ex.Status, Is.EqualTo(new Status(StatusCode.FailedPrecondition, "set, not thrown")));
        Assert.That(ex.Trailers.GetValue("x-why"), Is.EqualTo("because"));
        await Task.CompletedTask;
    }

    [Test]
    public async Task Metadata_AsciiAndBinary_BothWays()
    {
        var headers = new Metadata
        {
            { "x-ascii", "hello world" },
            { "x-data-bin", new byte[] { 0, 0xff, 0x10, 0x20 } },
        };
        var call = _channel.UnaryAsync(ProbeService.Headers, new Empty(), new CallOptions { Headers = headers });
        await call;
        var rh = await call.ResponseHeadersAsync;
        Assert.That(rh.GetValue("x-ascii"), Is.EqualTo("hello world"));
        Assert.That(rh.GetValueBytes("x-data-bin"), Is.EqualTo(new byte[] { 0, 0xff, 0x10, 0x20 }));
        Assert.That(rh.GetValueBytes("x-server-bin"), Is.EqualTo(new byte[] { 0, 1, 2, 0xff, 0xfe }));
        var tr = call.GetTrailers();
        Assert.That(tr.GetValue("x-trailer"), Is.EqualTo("trailer value"));
        Assert.That(tr.GetValueBytes("x-trailer-bin"), Is.EqualTo(new byte[] { 9, 8, 7 }));

        // Padded and unpadded base64 are both accepted; the server emits unpadded.
        var resp = await _raw.PostAsync("/genart.test.Probe/Headers", EmptyFrame, headers: new Dictionary<string, string>
        {
            ["x-a-bin"] = "AQI=", ["x-b-bin"] = "AQI",
        });
        Assert.That(resp.Header("x-a-bin"), Is.EqualTo("AQI"));
        Assert.That(resp.Header("x-b-bin"), Is.EqualTo("AQI"));
        Assert.That(resp.Header("x-server-bin"), Is.EqualTo("AAEC//4"));
    }

    [Test]
    public async Task NonGrpcContentType_Is415()
    {
        var resp = await _raw.PostAsync("/grpc.testing.TestService/EmptyCall", EmptyFrame, contentType: "application/json");
        Assert.That(resp.StatusCode, Is.EqualTo(HttpStatusCode.UnsupportedMediaType));
        // Unknown path with a non-gRPC content type is left to the rest of the pipeline (404 here).
        var other = await _raw.PostAsync("/not/grpc", EmptyFrame, contentType: "text/plain");
        Assert.That(other.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        // application/grpc+proto is gRPC.
        var proto = await _raw.PostAsync("/grpc.testing.TestService/EmptyCall", EmptyFrame, contentType: "application/grpc+proto");
        Assert.That(proto.GrpcStatus, Is.EqualTo("0"));
    }

    [Test]
    public async Task UnknownServiceAndMethod_AreTrailersOnlyUnimplemented()
    {
        foreach (var path in new[] { "/grpc.testing.TestService/Nope", "/no.Such/Service", "/garbage" })
        {
            var resp = await _raw.PostAsync(path, EmptyFrame);
            Assert.That(resp.StatusCode, Is.EqualTo(HttpStatusCode.OK), path);
            Assert.That(resp.Header("grpc-status"), Is.EqualTo("12"), path); // in the headers: trailers-only
            Assert.That(resp.Body, Is.Empty, path);
            Assert.That(resp.ContentType, Is.EqualTo("application/grpc"), path);
        }
    }

    [Test]
    public async Task UnsupportedEncoding_IsUnimplementedWithSupportedList()
    {
        var resp = await _raw.PostAsync("/grpc.testing.TestService/EmptyCall", RawHttp.Frame(new byte[] { 1, 2, 3 }, flag: 1),
            headers: new Dictionary<string, string> { ["grpc-encoding"] = "snappy" });
        Assert.That(resp.GrpcStatus, Is.EqualTo("12"));
        Assert.That(resp.Header("grpc-accept-encoding"), Does.Contain("gzip"));
        Assert.That(Uri.UnescapeDataString(resp.Header("grpc-message")!), Does.Contain("gzip"));
    }

    [Test]
    public async Task CompressedFlagWithoutEncoding_IsInternal()
    {
        var resp = await _raw.PostAsync("/grpc.testing.TestService/EmptyCall", RawHttp.Frame(Array.Empty<byte>(), flag: 1));
        Assert.That(resp.GrpcStatus, Is.EqualTo("13"));
    }

    [Test]
    public async Task GzipRequest_OnTheWire()
    {
        var req = new SimpleRequest { ResponseSize = 10, Payload = new Payload { Body = ByteString.CopyFrom(new byte[1000]) } }.ToByteArray();
        using var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Optimal, leaveOpen: true)) gz.Write(req);
        var resp = await _raw.PostAsync("/grpc.testing.TestService/UnaryCall", RawHttp.Frame(ms.ToArray(), flag: 1),
            headers: new Dictionary<string, string> { ["grpc-encoding"] = "gzip" });
        Assert.That(resp.GrpcStatus, Is.EqualTo("0"));
        Assert.That(SimpleResponse.Parser.ParseFrom(resp.Frames().Single().Payload).Payload.Body.Length, Is.EqualTo(10));
    }

    [Test]
    public async Task MaxReceiveMessageSize_DefaultAndPerMethod()
    {
        var big = new SimpleRequest { Payload = new Payload { Body = ByteString.CopyFrom(new byte[5 * 1024 * 1024]) } };
        var unary = RpcMethod.Unary<SimpleRequest, SimpleResponse>("grpc.testing.TestService", "UnaryCall");
        var ex = Assert.ThrowsAsync<RpcException>(async () => await _channel.UnaryAsync(unary, big))!;
        Assert.That(ex.StatusCode, Is.EqualTo(StatusCode.ResourceExhausted));

        // The Big method allows 8 MiB.
        var ok = await _channel.UnaryAsync(ProbeService.Big, new SimpleRequest { ResponseSize = 5, Payload = big.Payload });
        Assert.That(ok.Payload.Body.Length, Is.EqualTo(5));

        // A declared length beyond the limit is refused without waiting for the bytes.
        var header = new byte[] { 0, 0x7f, 0xff, 0xff, 0xff };
        var resp = await _raw.PostAsync("/grpc.testing.TestService/UnaryCall", header);
        Assert.That(resp.GrpcStatus, Is.EqualTo("8"));

        // A gzip bomb is stopped at the limit after decompression.
        using var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Optimal, leaveOpen: true)) gz.Write(new byte[6 * 1024 * 1024]);
        var bomb = await _raw.PostAsync("/grpc.testing.TestService/UnaryCall", RawHttp.Frame(ms.ToArray(), 1),
            headers: new Dictionary<string, string> { ["grpc-encoding"] = "gzip" });
        Assert.That(bomb.GrpcStatus, Is.EqualTo("8"));
    }

    [Test]
    public async Task ClientMaxReceiveMessageSize()
    {
        using var small = _server.CreateChannel(new RpcChannelOptions { MaxReceiveMessageSize = 1000 });
        var unary = RpcMethod.Unary<SimpleRequest, SimpleResponse>("grpc.testing.TestService", "UnaryCall");
        var ex = Assert.ThrowsAsync<RpcException>(async () => await small.UnaryAsync(unary, new SimpleRequest { ResponseSize = 5000 }))!;
        Assert.That(ex.StatusCode, Is.EqualTo(StatusCode.ResourceExhausted));
        await Task.CompletedTask;
    }

    [Test]
    public async Task Deadline_ServerAnswersDeadlineExceeded_EvenIfHandlerIgnoresToken()
    {
        var sw = Stopwatch.StartNew();
        var resp = await _raw.PostAsync("/genart.test.Probe/Slow", EmptyFrame,
            headers: new Dictionary<string, string> { ["grpc-timeout"] = "200m" });
        sw.Stop();
        Assert.That(resp.GrpcStatus, Is.EqualTo("4"));
        Assert.That(sw.ElapsedMilliseconds, Is.LessThan(2500), "status should come at the deadline, not when the handler ends");
        // The handler saw its token cancelled.
        Assert.That(await _probe.SlowFinished.Task.WaitAsync(TimeSpan.FromSeconds(10)), Is.True);
    }

    [Test]
    public async Task Deadline_CancelsHandlerToken()
    {
        var ex = Assert.ThrowsAsync<RpcException>(async () =>
            await _channel.UnaryAsync(ProbeService.Hang, new Empty(), CallOptions.WithTimeout(TimeSpan.FromMilliseconds(200))))!;
        Assert.That(ex.StatusCode, Is.EqualTo(StatusCode.DeadlineExceeded));
        await _probe.HangCancelled.Task.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Test]
    public async Task ClientCancel_ResetsStream_AndCancelsHandler()
    {
        using var cts = new CancellationTokenSource();
        var call = _channel.UnaryAsync(ProbeService.Hang, new Empty(), new CallOptions { CancellationToken = cts.Token });
        await _probe.HangStarted.Task.WaitAsync(TimeSpan.FromSeconds(5));
        cts.Cancel();
        var ex = Assert.ThrowsAsync<RpcException>(async () => await call)!;
        Assert.That(ex.StatusCode, Is.EqualTo(StatusCode.Cancelled));
        await _probe.HangCancelled.Task.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Test]
    public async Task ClientStreamingCancel_CancelsHandlerReading()
    {
        using var call = _channel.ClientStreaming(ProbeService.HangStream);
        await call.RequestStream.WriteAsync(new StreamingInputCallRequest());
        await _probe.HangStarted.Task.WaitAsync(TimeSpan.FromSeconds(5));
        call.Dispose();
        await _probe.HangCancelled.Task.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.That(call.GetStatus().StatusCode, Is.EqualTo(StatusCode.Cancelled));
    }

    [Test]
    public async Task ExpiredDeadline_FailsWithoutSending()
    {
        var call = _channel.UnaryAsync(ProbeService.Hang, new Empty(), new CallOptions { Deadline = DateTime.UtcNow.AddSeconds(-1) });
        var ex = Assert.ThrowsAsync<RpcException>(async () => await call)!;
        Assert.That(ex.StatusCode, Is.EqualTo(StatusCode.DeadlineExceeded));
        // A later call on the same connection is handled after anything the expired call could have sent (HTTP/2
        // streams are opened in order), so once it returns, the hanging handler would have started if it ever will.
        await _channel.UnaryAsync(ProbeService.Headers, new Empty());
        Assert.That(_probe.HangStarted.Task.IsCompleted, Is.False);
    }

    [Test]
    public async Task InvalidTimeout_IsRejected()
    {
        var resp = await _raw.PostAsync("/grpc.testing.TestService/EmptyCall", EmptyFrame,
            headers: new Dictionary<string, string> { ["grpc-timeout"] = "abc" });
        Assert.That(resp.GrpcStatus, Is.EqualTo("13"));
    }

    [Test]
    public async Task GarbageProtobuf_IsInternal_ServerStaysUp()
    {
        var resp = await _raw.PostAsync("/grpc.testing.TestService/UnaryCall", RawHttp.Frame(new byte[] { 0xff, 0xff, 0xff, 0xff, 0x0f }));
        Assert.That(resp.GrpcStatus, Is.EqualTo("13"));
        var truncated = await _raw.PostAsync("/grpc.testing.TestService/UnaryCall", new byte[] { 0, 0, 0, 0, 10, 1, 2 });
        Assert.That(truncated.GrpcStatus, Is.EqualTo("13"));
        var badFlag = await _raw.PostAsync("/grpc.testing.TestService/EmptyCall", RawHttp.Frame(Array.Empty<byte>(), flag: 7));
        Assert.That(badFlag.GrpcStatus, Is.EqualTo("13"));
        var none = await _raw.PostAsync("/grpc.testing.TestService/EmptyCall", Array.Empty<byte>());
        Assert.That(none.GrpcStatus, Is.EqualTo("13"));
        var two = await _raw.PostAsync("/grpc.testing.TestService/EmptyCall", EmptyFrame.Concat(EmptyFrame).ToArray());
        Assert.That(two.GrpcStatus, Is.EqualTo("13"));
        Assert.That(await _channel.UnaryAsync(RpcMethod.Unary<Empty, Empty>("grpc.testing.TestService", "EmptyCall"), new Empty()), Is.Not.Null);
    }

    [Test]
    public async Task Http1Request_IsRefused()
    {
        // The TLS port speaks HTTP/1.1 too; gRPC needs HTTP/2.
        using var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, _, _, _) => true;
        using var client = new HttpClient(handler);
        using var req = new HttpRequestMessage(HttpMethod.Post, _server.TlsAddress + "/grpc.testing.TestService/EmptyCall")
        {
            Version = HttpVersion.Version11,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(EmptyFrame),
        };
        req.Content.Headers.TryAddWithoutValidation("Content-Type", "application/grpc");
        using var resp = await client.SendAsync(req);
        Assert.That((int)resp.StatusCode, Is.EqualTo(426));
    }

    [Test]
    public void PercentEncoding_RoundTrips()
    {
        foreach (var s in new[] { "plain", "100% sure", "tab\there", "\u263A \U0001F608", "" })
            Assert.That(Internal.GrpcProtocol.PercentDecode(Internal.GrpcProtocol.PercentEncode(s)), Is.EqualTo(s));
        Assert.That(Internal.GrpcProtocol.PercentEncode("a%b\n"), Is.EqualTo("a%25b%0A"));
    }

    [TestCase("1S", 10_000_000L)]
    [TestCase("100m", 1_000_000L)]
    [TestCase("5u", 50L)]
    [TestCase("1000n", 10L)]
    [TestCase("2M", 1_200_000_000L)]
    [TestCase("1H", 36_000_000_000L)]
    public void Timeout_Parses(string value, long ticks)
    {
        Assert.That(Internal.GrpcProtocol.TryParseTimeout(value, out var t), Is.True);
        Assert.That(t.Ticks, Is.EqualTo(ticks));
    }

    [TestCase("")]
    [TestCase("S")]
    [TestCase("123456789S")]
    [TestCase("-1S")]
    [TestCase("1x")]
    public void Timeout_RejectsMalformed(string value) => Assert.That(Internal.GrpcProtocol.TryParseTimeout(value, out _), Is.False);

    [Test]
    public void Timeout_FormatsWithinEightDigits()
    {
        foreach (var t in new[] { TimeSpan.FromTicks(1), TimeSpan.FromMilliseconds(1), TimeSpan.FromSeconds(30), TimeSpan.FromDays(400) })
        {
            var s = Internal.GrpcProtocol.FormatTimeout(t);
            Assert.That(s.Length, Is.LessThanOrEqualTo(9), s);
            Assert.That(Internal.GrpcProtocol.TryParseTimeout(s, out var back), Is.True, s);
            Assert.That(back, Is.GreaterThanOrEqualTo(t), s);
        }
    }
}
