using GenArt.Rpc.Client;
using GenArt.Rpc.Tests.Infrastructure;
using Google.Protobuf;
using Grpc.Testing;

namespace GenArt.Rpc.Tests;

/// <summary>The interop cases again, with our own client (h2c and TLS) against our server.</summary>
[TestFixture]
[NonParallelizable]
public sealed class ClientInteropTests
{
    private const string Svc = "grpc.testing.TestService";
    private static readonly RpcMethod<Empty, Empty> EmptyCall = RpcMethod.Unary<Empty, Empty>(Svc, "EmptyCall");
    private static readonly RpcMethod<SimpleRequest, SimpleResponse> UnaryCall = RpcMethod.Unary<SimpleRequest, SimpleResponse>(Svc, "UnaryCall");
    private static readonly RpcMethod<StreamingOutputCallRequest, StreamingOutputCallResponse> StreamingOutputCall =
        RpcMethod.ServerStreaming<StreamingOutputCallRequest, StreamingOutputCallResponse>(Svc, "StreamingOutputCall");
    private static readonly RpcMethod<StreamingInputCallRequest, StreamingInputCallResponse> StreamingInputCall =
        RpcMethod.ClientStreaming<StreamingInputCallRequest, StreamingInputCallResponse>(Svc, "StreamingInputCall");
    private static readonly RpcMethod<StreamingOutputCallRequest, StreamingOutputCallResponse> FullDuplexCall =
        RpcMethod.DuplexStreaming<StreamingOutputCallRequest, StreamingOutputCallResponse>(Svc, "FullDuplexCall");

    private TestServer _server = null!;
    private RpcChannel _h2c = null!;
    private RpcChannel _tls = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _server = await TestServer.StartAsync();
        _h2c = _server.CreateChannel();
        _tls = _server.CreateTlsChannel();
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        _h2c.Dispose();
        _tls.Dispose();
        await _server.DisposeAsync();
    }

    private RpcChannel Channel(bool tls) => tls ? _tls : _h2c;
    private static Payload Zeros(int n) => new() { Body = ByteString.CopyFrom(new byte[n]) };
    private static CallOptions Timeout20 => CallOptions.WithTimeout(TimeSpan.FromSeconds(20));

    [TestCase(false), TestCase(true)]
    public async Task EmptyUnary(bool tls)
    {
        var res = await Channel(tls).UnaryAsync(EmptyCall, new Empty(), Timeout20);
        Assert.That(res, Is.Not.Null);
    }

    [TestCase(false), TestCase(true)]
    public async Task LargeUnary(bool tls)
    {
        var res = await Channel(tls).UnaryAsync(UnaryCall, new SimpleRequest { ResponseSize = 314159, Payload = Zeros(271828) }, Timeout20);
        Assert.That(res.Payload.Body.Length, Is.EqualTo(314159));
        Assert.That(res.Payload.Body.All(b => b == 0), Is.True);
    }

    [Test]
    public async Task ClientCompressedUnary()
    {
        var request = new SimpleRequest { ExpectCompressed = new BoolValue { Value = true }, ResponseSize = 314159, Payload = Zeros(271828) };
        var probe = Assert.ThrowsAsync<RpcException>(async () => await _h2c.UnaryAsync(UnaryCall, request, Timeout20))!;
        Assert.That(probe.StatusCode, Is.EqualTo(StatusCode.InvalidArgument));

        foreach (var enc in new[] { "gzip", "deflate" })
        {
            var res = await _h2c.UnaryAsync(UnaryCall, request, new CallOptions { Compression = enc, Deadline = DateTime.UtcNow.AddSeconds(20) });
            Assert.That(res.Payload.Body.Length, Is.EqualTo(314159), enc);
        }
        request.ExpectCompressed.Value = false;
        var plain = await _h2c.UnaryAsync(UnaryCall, request, Timeout20);
        Assert.That(plain.Payload.Body.Length, Is.EqualTo(314159));
    }

    [Test]
    public async Task ServerCompressedUnary()
    {
        foreach (var compressed in new[] { true, false })
        {
            var call = _h2c.UnaryAsync(UnaryCall, new SimpleRequest
            {
                ResponseCompressed = new BoolValue { Value = compressed }, ResponseSize = 314159, Payload = Zeros(271828),
            }, Timeout20);
            var res = await call;
            Assert.That(res.Payload.Body.Length, Is.EqualTo(314159));
            var headers = await call.ResponseHeadersAsync;
            Assert.That(call.GetStatus().StatusCode, Is.EqualTo(StatusCode.OK));
            _ = headers;
        }
        // The flag itself, on the wire:
        using var raw = new RawHttp(_server.H2cPort);
        foreach (var compressed in new[] { true, false })
        {
            var req = new SimpleRequest { ResponseCompressed = new BoolValue { Value = compressed }, ResponseSize = 314159 };
            var resp = await raw.PostAsync("/grpc.testing.TestService/UnaryCall", RawHttp.Frame(req.ToByteArray()),
                headers: new Dictionary<string, string> { ["grpc-accept-encoding"] = "identity,gzip" });
            Assert.That(resp.GrpcStatus, Is.EqualTo("0"), $"{resp.StatusCode} {resp.Headers} / {resp.Trailers} / {resp.Body.Length} {Convert.ToHexString(resp.Body.AsSpan(0, Math.Min(20, resp.Body.Length)))}");
            Assert.That(resp.Frames().Single().Flag, Is.EqualTo(compressed ? 1 : 0));
            Assert.That(resp.Header("grpc-encoding"), compressed ? Is.EqualTo("gzip") : Is.Null);
        }
    }

    [TestCase(false), TestCase(true)]
    public async Task ClientStreaming(bool tls)
    {
        using var call = Channel(tls).ClientStreaming(StreamingInputCall, Timeout20);
        foreach (var n in new[] { 27182, 8, 1828, 45904 })
            await call.RequestStream.WriteAsync(new StreamingInputCallRequest { Payload = Zeros(n) });
        await call.RequestStream.CompleteAsync();
        var res = await call;
        Assert.That(res.AggregatedPayloadSize, Is.EqualTo(74922));
    }

    [TestCase(false), TestCase(true)]
    public async Task ServerStreaming(bool tls)
    {
        var sizes = new[] { 31415, 9, 2653, 58979 };
        var req = new StreamingOutputCallRequest();
        foreach (var s in sizes) req.ResponseParameters.Add(new ResponseParameters { Size = s });
        using var call = Channel(tls).ServerStreaming(StreamingOutputCall, req, Timeout20);
        var got = new List<int>();
        await foreach (var m in call.ResponseStream.ReadAllAsync()) got.Add(m.Payload.Body.Length);
        Assert.That(got, Is.EqualTo(sizes));
        Assert.That(call.GetStatus().StatusCode, Is.EqualTo(StatusCode.OK));
    }

    [Test]
    public async Task ServerCompressedStreaming()
    {
        var req = new StreamingOutputCallRequest();
        req.ResponseParameters.Add(new ResponseParameters { Size = 31415, Compressed = new BoolValue { Value = true } });
        req.ResponseParameters.Add(new ResponseParameters { Size = 92653, Compressed = new BoolValue { Value = false } });
        using var call = _h2c.ServerStreaming(StreamingOutputCall, req, Timeout20);
        var got = new List<int>();
        await foreach (var m in call.ResponseStream.ReadAllAsync()) got.Add(m.Payload.Body.Length);
        Assert.That(got, Is.EqualTo(new[] { 31415, 92653 }));

        using var raw = new RawHttp(_server.H2cPort);
        var resp = await raw.PostAsync("/grpc.testing.TestService/StreamingOutputCall", RawHttp.Frame(req.ToByteArray()),
            headers: new Dictionary<string, string> { ["grpc-accept-encoding"] = "gzip" });
        Assert.That(resp.Frames().Select(f => f.Flag), Is.EqualTo(new byte[] { 1, 0 }));
    }

    [TestCase(false), TestCase(true)]
    public async Task PingPong(bool tls)
    {
        var pairs = new[] { (31415, 27182), (9, 8), (2653, 1828), (58979, 45904) };
        using var call = Channel(tls).DuplexStreaming(FullDuplexCall, Timeout20);
        foreach (var (resp, req) in pairs)
        {
            var m = new StreamingOutputCallRequest { Payload = Zeros(req) };
            m.ResponseParameters.Add(new ResponseParameters { Size = resp });
            await call.RequestStream.WriteAsync(m);
            Assert.That(await call.ResponseStream.MoveNext(), Is.True);
            Assert.That(call.ResponseStream.Current.Payload.Body.Length, Is.EqualTo(resp));
        }
        await call.RequestStream.CompleteAsync();
        Assert.That(await call.ResponseStream.MoveNext(), Is.False);
        Assert.That(call.GetStatus().StatusCode, Is.EqualTo(StatusCode.OK));
    }

    [Test]
    public async Task EmptyStream()
    {
        using var call = _h2c.DuplexStreaming(FullDuplexCall, Timeout20);
        await call.RequestStream.CompleteAsync();
        Assert.That(await call.ResponseStream.MoveNext(), Is.False);
    }

    [TestCase(false), TestCase(true)]
    public async Task CustomMetadata(bool tls)
    {
        Metadata Md() => new()
        {
            { "x-grpc-test-echo-initial", "test_initial_metadata_value" },
            { "x-grpc-test-echo-trailing-bin", new byte[] { 0xab, 0xab, 0xab } },
        };
        var unary = Channel(tls).UnaryAsync(UnaryCall, new SimpleRequest { ResponseSize = 314159, Payload = Zeros(271828) },
            new CallOptions { Headers = Md(), Deadline = DateTime.UtcNow.AddSeconds(20) });
        await unary;
        Assert.That((await unary.ResponseHeadersAsync).GetValue("x-grpc-test-echo-initial"), Is.EqualTo("test_initial_metadata_value"));
        Assert.That(unary.GetTrailers().GetValueBytes("x-grpc-test-echo-trailing-bin"), Is.EqualTo(new byte[] { 0xab, 0xab, 0xab }));

        using var duplex = Channel(tls).DuplexStreaming(FullDuplexCall, new CallOptions { Headers = Md(), Deadline = DateTime.UtcNow.AddSeconds(20) });
        var req = new StreamingOutputCallRequest { Payload = Zeros(271828) };
        req.ResponseParameters.Add(new ResponseParameters { Size = 314159 });
        await duplex.RequestStream.WriteAsync(req);
        await duplex.RequestStream.CompleteAsync();
        while (await duplex.ResponseStream.MoveNext()) { }
        Assert.That((await duplex.ResponseHeadersAsync).GetValue("x-grpc-test-echo-initial"), Is.EqualTo("test_initial_metadata_value"));
        Assert.That(duplex.GetTrailers().GetValueBytes("x-grpc-test-echo-trailing-bin"), Is.EqualTo(new byte[] { 0xab, 0xab, 0xab }));
    }

    [TestCase("test status message")]
    [TestCase("\t\ntest with whitespace\r\nand Unicode BMP \u263A and non-BMP \U0001F608\t\n")]
    public async Task StatusCodeAndMessage(string message)
    {
        var ex = Assert.ThrowsAsync<RpcException>(async () => await _h2c.UnaryAsync(UnaryCall,
            new SimpleRequest { ResponseStatus = new EchoStatus { Code = 2, Message = message } }, Timeout20))!;
        Assert.That(ex.StatusCode, Is.EqualTo(StatusCode.Unknown));
        Assert.That(ex.Status.Detail, Is.EqualTo(message));

        using var duplex = _h2c.DuplexStreaming(FullDuplexCall, Timeout20);
        await duplex.RequestStream.WriteAsync(new StreamingOutputCallRequest { ResponseStatus = new EchoStatus { Code = 2, Message = message } });
        await duplex.RequestStream.CompleteAsync();
        var ex2 = Assert.ThrowsAsync<RpcException>(async () => await duplex.ResponseStream.MoveNext())!;
        Assert.That(ex2.StatusCode, Is.EqualTo(StatusCode.Unknown));
        Assert.That(ex2.Status.Detail, Is.EqualTo(message));
        Assert.That(duplex.GetStatus().Detail, Is.EqualTo(message));
    }

    [Test]
    public async Task UnimplementedMethodAndService()
    {
        var m = RpcMethod.Unary<Empty, Empty>(Svc, "UnimplementedCall");
        var ex = Assert.ThrowsAsync<RpcException>(async () => await _h2c.UnaryAsync(m, new Empty(), Timeout20))!;
        Assert.That(ex.StatusCode, Is.EqualTo(StatusCode.Unimplemented));
        Assert.That(ex.Status.Detail, Does.Contain("Method"));

        var s = RpcMethod.Unary<Empty, Empty>("grpc.testing.UnimplementedService", "UnimplementedCall");
        var ex2 = Assert.ThrowsAsync<RpcException>(async () => await _h2c.UnaryAsync(s, new Empty(), Timeout20))!;
        Assert.That(ex2.StatusCode, Is.EqualTo(StatusCode.Unimplemented));
        Assert.That(ex2.Status.Detail, Does.Contain("Service"));
        await Task.CompletedTask;
    }

    [Test]
    public async Task CancelAfterBegin()
    {
        using var cts = new CancellationTokenSource();
        using var call = _h2c.ClientStreaming(StreamingInputCall, new CallOptions { CancellationToken = cts.Token });
        cts.Cancel();
        var ex = Assert.ThrowsAsync<RpcException>(async () => await call)!;
        Assert.That(ex.StatusCode, Is.EqualTo(StatusCode.Cancelled));
        Assert.That(call.GetStatus().StatusCode, Is.EqualTo(StatusCode.Cancelled));
        await Task.CompletedTask;
    }

    [Test]
    public async Task CancelAfterFirstResponse()
    {
        using var cts = new CancellationTokenSource();
        using var call = _h2c.DuplexStreaming(FullDuplexCall, new CallOptions { CancellationToken = cts.Token });
        var req = new StreamingOutputCallRequest { Payload = Zeros(27182) };
        req.ResponseParameters.Add(new ResponseParameters { Size = 31415 });
        await call.RequestStream.WriteAsync(req);
        Assert.That(await call.ResponseStream.MoveNext(), Is.True);
        Assert.That(call.ResponseStream.Current.Payload.Body.Length, Is.EqualTo(31415));
        cts.Cancel();
        var ex = Assert.ThrowsAsync<RpcException>(async () => await call.ResponseStream.MoveNext())!;
        Assert.That(ex.StatusCode, Is.EqualTo(StatusCode.Cancelled));
    }

    [Test]
    public async Task TimeoutOnSleepingServer()
    {
        using var call = _h2c.DuplexStreaming(FullDuplexCall, new CallOptions { Deadline = DateTime.UtcNow.AddMilliseconds(1) });
        try { await call.RequestStream.WriteAsync(new StreamingOutputCallRequest { Payload = Zeros(27182) }); }
        catch (RpcException e) { Assert.That(e.StatusCode, Is.EqualTo(StatusCode.DeadlineExceeded)); }
        var ex = Assert.ThrowsAsync<RpcException>(async () => await call.ResponseStream.MoveNext())!;
        Assert.That(ex.StatusCode, Is.EqualTo(StatusCode.DeadlineExceeded));
    }
}
