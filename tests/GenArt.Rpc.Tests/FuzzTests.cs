using System.Buffers.Binary;
using System.Diagnostics;
using System.IO.Compression;
using System.Net;
using System.Net.Sockets;
using System.Text;
using GenArt.Rpc.Client;
using GenArt.Rpc.Tests.Infrastructure;
using Google.Protobuf;
using Grpc.Testing;

namespace GenArt.Rpc.Tests;

/// <summary>
/// Random and mutated request streams (random bodies, mutated valid messages, truncated frames, wrong and
/// huge declared lengths, bad compressed flags and encodings, garbage protobuf, odd headers, mid-stream
/// resets) over HTTP/2 (HttpClient h2c, and hand-built HTTP/2 frames on raw TCP), plus raw TCP garbage. The
/// server must stay up, log no unhandled handler exception, and answer normal calls afterwards.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class FuzzTests
{
    private const int HttpClientCases = 9000;
    private const int RawFrameCases = 1500;
    private const int GarbageConnections = 300;

    private static readonly string[] Paths =
    {
        "/grpc.testing.TestService/EmptyCall",
        "/grpc.testing.TestService/UnaryCall",
        "/grpc.testing.TestService/StreamingOutputCall",
        "/grpc.testing.TestService/StreamingInputCall",
        "/grpc.testing.TestService/FullDuplexCall",
        "/grpc.testing.TestService/HalfDuplexCall",
        "/grpc.testing.TestService/UnimplementedCall",
        "/grpc.health.v1.Health/Check",
        "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo",
        "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
        "/no.Such/Method",
        "/",
    };

    [Test]
    public async Task RandomAndMutatedRequestStreams_LeaveServerUp()
    {
        int seed = Environment.GetEnvironmentVariable("GENART_FUZZ_SEED") is { } s ? int.Parse(s, System.Globalization.CultureInfo.InvariantCulture) : Environment.TickCount;
        TestContext.Out.WriteLine($"fuzz seed {seed} (set GENART_FUZZ_SEED to replay)");
        await using var server = await TestServer.StartAsync(o => o.MaxReceiveMessageSize = 64 * 1024);
        var sw = Stopwatch.StartNew();

        var outcomes = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
        void Count(string k) => outcomes.AddOrUpdate(k, 1, (_, v) => v + 1);

        // 1. HTTP/2 requests through HttpClient.
        using (var handler = new SocketsHttpHandler { UseProxy = false, EnableMultipleHttp2Connections = true })
        using (var client = new HttpClient(handler) { BaseAddress = new Uri(server.H2cAddress), Timeout = Timeout.InfiniteTimeSpan })
        {
            int next = -1;
            var workers = Enumerable.Range(0, 32).Select(async w =>
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) < HttpClientCases)
                {
                    var rng = new Random(seed + i);
                    Count(await SendHttpCase(client, rng));
                }
            }).ToArray();
            await Task.WhenAll(workers);
        }
        TestContext.Out.WriteLine($"HttpClient cases done at {sw.Elapsed}");

        // 2. Hand-built HTTP/2 frames over raw TCP (frame-level mutations HttpClient would never send).
        {
            int next = -1;
            var workers = Enumerable.Range(0, 16).Select(async w =>
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) < RawFrameCases)
                    Count(await SendRawH2Case(server.H2cPort, new Random(seed ^ (0x5bd1e995 + i))));
            }).ToArray();
            await Task.WhenAll(workers);
        }
        TestContext.Out.WriteLine($"raw HTTP/2 cases done at {sw.Elapsed}");

        // 3. Plain garbage on both ports.
        {
            int next = -1;
            var workers = Enumerable.Range(0, 16).Select(async w =>
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) < GarbageConnections)
                {
                    var rng = new Random(seed * 31 + i);
                    Count(await SendGarbage(rng.Next(2) == 0 ? server.H2cPort : server.TlsPort, rng));
                }
            }).ToArray();
            await Task.WhenAll(workers);
        }
        sw.Stop();
        TestContext.Out.WriteLine($"all {HttpClientCases + RawFrameCases + GarbageConnections} cases in {sw.Elapsed}");
        foreach (var (k, v) in outcomes.OrderByDescending(kv => kv.Value)) TestContext.Out.WriteLine($"  {v,6} {k}");
        Assert.That(sw.Elapsed, Is.LessThan(TimeSpan.FromSeconds(60)), "fuzz run must stay under 60 s");

        // The server still serves normal calls.
        using var channel = server.CreateChannel();
        var res = await channel.UnaryAsync(RpcMethod.Unary<SimpleRequest, SimpleResponse>("grpc.testing.TestService", "UnaryCall"),
            new SimpleRequest { ResponseSize = 1000, Payload = new Payload { Body = ByteString.CopyFrom(new byte[1000]) } },
            CallOptions.WithTimeout(TimeSpan.FromSeconds(10)));
        Assert.That(res.Payload.Body.Length, Is.EqualTo(1000));
        using var tls = server.CreateTlsChannel();
        Assert.That(await tls.UnaryAsync(RpcMethod.Unary<Empty, Empty>("grpc.testing.TestService", "EmptyCall"), new Empty(),
            CallOptions.WithTimeout(TimeSpan.FromSeconds(10))), Is.Not.Null);

        var unhandled = server.Logs.Lines.Where(l => l.Contains("Unhandled exception in gRPC handler")).ToArray();
        Assert.That(unhandled, Is.Empty, string.Join("\n", unhandled.Take(5)));
        Assert.That(outcomes.Keys.Count(k => k.StartsWith("grpc-status", StringComparison.Ordinal)), Is.GreaterThan(3),
            "expected a spread of statuses");
    }

    // ---- request generators ---------------------------------------------------------------------------------

    private static byte[] Frame(byte flag, uint declared, ReadOnlySpan<byte> payload)
    {
        var f = new byte[5 + payload.Length];
        f[0] = flag;
        BinaryPrimitives.WriteUInt32BigEndian(f.AsSpan(1), declared);
        payload.CopyTo(f.AsSpan(5));
        return f;
    }

    private static byte[] ValidMessage(Random rng)
    {
        IMessage m = rng.Next(4) switch
        {
            0 => new SimpleRequest { ResponseSize = rng.Next(0, 2000), Payload = new Payload { Body = ByteString.CopyFrom(RandomBytes(rng, rng.Next(0, 300))) } },
            1 => new StreamingOutputCallRequest { ResponseParameters = { new ResponseParameters { Size = rng.Next(0, 500) }, new ResponseParameters { Size = rng.Next(0, 50) } } },
            2 => new StreamingInputCallRequest { Payload = new Payload { Body = ByteString.CopyFrom(RandomBytes(rng, rng.Next(0, 300))) } },
            _ => new Grpc.Reflection.V1.ServerReflectionRequest { FileContainingSymbol = rng.Next(2) == 0 ? "grpc.testing.TestService" : "x" },
        };
        return m.ToByteArray();
    }

    private static byte[] RandomBytes(Random rng, int n)
    {
        var b = new byte[n];
        rng.NextBytes(b);
        return b;
    }

    private static byte[] Mutate(Random rng, byte[] data)
    {
        var list = data.ToList();
        int edits = rng.Next(1, 6);
        for (int e = 0; e < edits; e++)
        {
            switch (rng.Next(5))
            {
                case 0 when list.Count > 0: list[rng.Next(list.Count)] ^= (byte)(1 << rng.Next(8)); break;
                case 1 when list.Count > 0: list[rng.Next(list.Count)] = (byte)rng.Next(256); break;
                case 2: list.Insert(rng.Next(list.Count + 1), (byte)rng.Next(256)); break;
                case 3 when list.Count > 0: list.RemoveAt(rng.Next(list.Count)); break;
                default: if (list.Count > 0) list.RemoveRange(rng.Next(list.Count), 1); break;
            }
        }
        return list.ToArray();
    }

    private static byte[] Gzip(byte[] data)
    {
        using var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Fastest, leaveOpen: true)) gz.Write(data);
        return ms.ToArray();
    }

    /// <summary>A request body: one of many kinds of broken (or fine) gRPC framing.</summary>
    private static (byte[] Body, string Kind, bool Gzip) Body(Random rng)
    {
        var msg = ValidMessage(rng);
        switch (rng.Next(14))
        {
            case 0: return (RandomBytes(rng, rng.Next(0, 2000)), "random-bytes", false);
            case 1: return (Frame(0, (uint)msg.Length, msg), "valid", false);
            case 2: return (Mutate(rng, Frame(0, (uint)msg.Length, msg)), "mutated-frame", false);
            case 3: return (Frame(0, (uint)msg.Length, Mutate(rng, msg)), "garbage-protobuf", false);
            case 4: { var f = Frame(0, (uint)msg.Length, msg); return (f[..rng.Next(0, f.Length)], "truncated", false); }
            case 5: return (Frame(0, (uint)rng.Next(int.MaxValue) | 0x80000000u, msg), "huge-length", false);
            case 6: return (Frame(0, (uint)(msg.Length + rng.Next(1, 100000)), msg), "length-too-big", false);
            case 7: return (Frame(0, (uint)Math.Max(0, msg.Length - rng.Next(1, 10)), msg), "length-too-small", false);
            case 8: return (Frame((byte)rng.Next(2, 256), (uint)msg.Length, msg), "bad-flag", false);
            case 9: return (Frame(1, (uint)msg.Length, msg), "flag-without-encoding", false);
            case 10: { var z = Gzip(msg); return (Frame(1, (uint)z.Length, Mutate(rng, z)), "corrupt-gzip", true); }
            case 11: { var z = Gzip(msg); return (Frame(1, (uint)z.Length, z), "valid-gzip", true); }
            case 12:
            {
                var ms = new MemoryStream();
                int n = rng.Next(2, 20);
                for (int i = 0; i < n; i++)
                {
                    var m = rng.Next(3) == 0 ? RandomBytes(rng, rng.Next(0, 50)) : ValidMessage(rng);
                    ms.Write(Frame((byte)(rng.Next(10) == 0 ? 1 : 0), (uint)m.Length, m));
                }
                return (ms.ToArray(), "multi-frame", false);
            }
            default: return (Array.Empty<byte>(), "empty", false);
        }
    }

    private static async Task<string> SendHttpCase(HttpClient client, Random rng)
    {
        var (body, kind, gzip) = Body(rng);
        var path = Paths[rng.Next(Paths.Length)];
        using var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        bool chunked = rng.Next(3) == 0;
        bool abort = rng.Next(12) == 0;
        request.Content = chunked ? new ChunkedContent(body, rng.Next(1, 64), abort) : new ByteArrayContent(body);
        string ct = rng.Next(20) switch
        {
            0 => "application/json",
            1 => "application/grpc+proto",
            2 => "application/grpcx",
            3 => "application/grpc; charset=x",
            _ => "application/grpc",
        };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", ct);
        request.Headers.TryAddWithoutValidation("te", "trailers");
        if (gzip || rng.Next(10) == 0)
            request.Headers.TryAddWithoutValidation("grpc-encoding", rng.Next(6) switch { 0 => "snappy", 1 => "identity", 2 => "deflate", 3 => "", _ => "gzip" });
        request.Headers.TryAddWithoutValidation("grpc-timeout", rng.Next(8) switch
        {
            0 => "garbage", 1 => "0n", 2 => "99999999H", 3 => RandomAscii(rng), _ => rng.Next(50, 2000) + "m",
        });
        if (rng.Next(4) == 0) request.Headers.TryAddWithoutValidation("x-fuzz-bin", RandomAscii(rng));
        if (rng.Next(4) == 0) request.Headers.TryAddWithoutValidation("x-grpc-test-echo-initial", RandomAscii(rng));
        if (rng.Next(4) == 0) request.Headers.TryAddWithoutValidation("x-grpc-test-echo-trailing-bin", RandomAscii(rng));
        if (rng.Next(8) == 0) request.Headers.TryAddWithoutValidation("grpc-accept-encoding", RandomAscii(rng));

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(rng.Next(30) == 0 ? 0.05 : 5));
        try
        {
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cts.Token);
            await response.Content.CopyToAsync(Stream.Null, cts.Token);
            var status = response.TrailingHeaders.TryGetValues("grpc-status", out var t) ? t.First()
                : response.Headers.TryGetValues("grpc-status", out var h) ? h.First() : null;
            return status is null ? $"http {(int)response.StatusCode} ({kind})" : $"grpc-status {status}";
        }
        catch (OperationCanceledException)
        {
            return "client-timeout/cancel";
        }
        catch (HttpRequestException e)
        {
            return "stream-error " + e.HttpRequestError;
        }
        catch (IOException)
        {
            return "io-error";
        }
    }

    private static string RandomAscii(Random rng)
    {
        var sb = new StringBuilder();
        int n = rng.Next(0, 40);
        for (int i = 0; i < n; i++) sb.Append((char)rng.Next(0x21, 0x7f));
        return sb.ToString();
    }

    /// <summary>A body written in small pieces, optionally failing half way (the client then resets the stream).</summary>
    private sealed class ChunkedContent(byte[] data, int chunk, bool abort) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            for (int off = 0; off < data.Length; off += chunk)
            {
                if (abort && off > data.Length / 2) throw new IOException("fuzz: abort mid-stream");
                await stream.WriteAsync(data.AsMemory(off, Math.Min(chunk, data.Length - off)));
                await stream.FlushAsync();
            }
            if (abort) throw new IOException("fuzz: abort at end");
        }

        protected override bool TryComputeLength(out long length)
        {
            length = -1;
            return false;
        }
    }

    // ---- raw HTTP/2 ------------------------------------------------------------------------------------------

    private static readonly byte[] Preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8.ToArray();

    private static void H2Frame(MemoryStream ms, byte type, byte flags, int streamId, ReadOnlySpan<byte> payload)
    {
        Span<byte> h = stackalloc byte[9];
        h[0] = (byte)(payload.Length >> 16);
        h[1] = (byte)(payload.Length >> 8);
        h[2] = (byte)payload.Length;
        h[3] = type;
        h[4] = flags;
        BinaryPrimitives.WriteInt32BigEndian(h[5..], streamId);
        ms.Write(h);
        ms.Write(payload);
    }

    private static void HpackInt(MemoryStream ms, int value, int prefixBits, byte first)
    {
        int max = (1 << prefixBits) - 1;
        if (value < max) { ms.WriteByte((byte)(first | value)); return; }
        ms.WriteByte((byte)(first | max));
        value -= max;
        while (value >= 128) { ms.WriteByte((byte)(value % 128 + 128)); value /= 128; }
        ms.WriteByte((byte)value);
    }

    private static byte[] Hpack(IEnumerable<(string, string)> headers)
    {
        var ms = new MemoryStream();
        foreach (var (name, value) in headers)
        {
            ms.WriteByte(0); // literal without indexing, new name
            var n = Encoding.ASCII.GetBytes(name);
            HpackInt(ms, n.Length, 7, 0);
            ms.Write(n);
            var v = Encoding.ASCII.GetBytes(value);
            HpackInt(ms, v.Length, 7, 0);
            ms.Write(v);
        }
        return ms.ToArray();
    }

    private static async Task<string> SendRawH2Case(int port, Random rng)
    {
        var ms = new MemoryStream();
        ms.Write(Preface);
        H2Frame(ms, 0x4, 0, 0, ReadOnlySpan<byte>.Empty); // SETTINGS
        int streams = rng.Next(1, 4);
        for (int s = 0; s < streams; s++)
        {
            int id = 1 + 2 * s;
            var headers = new List<(string, string)>
            {
                (":method", "POST"), (":scheme", "http"), (":authority", "127.0.0.1"), (":path", Paths[rng.Next(Paths.Length)]),
                ("content-type", "application/grpc"), ("te", "trailers"), ("grpc-timeout", "500m"),
            };
            if (rng.Next(5) == 0) headers.Add(("grpc-encoding", "gzip"));
            var block = Hpack(headers);
            if (rng.Next(10) == 0) block = Mutate(rng, block);
            bool endOnHeaders = rng.Next(10) == 0;
            H2Frame(ms, 0x1, (byte)(0x4 | (endOnHeaders ? 0x1 : 0)), id, block);
            if (endOnHeaders) continue;
            var (body, _, _) = Body(rng);
            // Split the gRPC stream across random DATA frames; maybe END_STREAM, maybe RST_STREAM, maybe nothing.
            int off = 0;
            while (off < body.Length)
            {
                int n = Math.Min(body.Length - off, rng.Next(1, 4096));
                H2Frame(ms, 0x0, 0, id, body.AsSpan(off, n));
                off += n;
            }
            switch (rng.Next(6))
            {
                case 0: H2Frame(ms, 0x3, 0, id, new byte[] { 0, 0, 0, 8 }); break; // RST_STREAM CANCEL
                case 1: break;                                                     // left open
                default: H2Frame(ms, 0x0, 0x1, id, ReadOnlySpan<byte>.Empty); break; // END_STREAM
            }
        }
        var bytes = ms.ToArray();
        if (rng.Next(8) == 0) bytes = Mutate(rng, bytes); // frame-level corruption
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(IPAddress.Loopback, port);
            await socket.SendAsync(bytes, SocketFlags.None);
            var buffer = new byte[16384];
            using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
            int total = 0;
            try
            {
                int n;
                while ((n = await socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token)) > 0) total += n;
            }
            catch (OperationCanceledException) { }
            return total > 0 ? "raw-h2 answered" : "raw-h2 silent";
        }
        catch (SocketException)
        {
            return "raw-h2 socket-error";
        }
    }

    private static async Task<string> SendGarbage(int port, Random rng)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(IPAddress.Loopback, port);
            var data = rng.Next(3) == 0 ? Preface.Concat(RandomBytes(rng, rng.Next(0, 4096))).ToArray() : RandomBytes(rng, rng.Next(1, 4096));
            await socket.SendAsync(data, SocketFlags.None);
            if (rng.Next(2) == 0) socket.Close(0); // abrupt reset
            return "garbage sent";
        }
        catch (SocketException)
        {
            return "garbage socket-error";
        }
    }
}
