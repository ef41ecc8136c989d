using System.Buffers;
using System.Diagnostics;
using System.Net;
using GenArt.Rpc;
using GenArt.Rpc.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;

// usage: GenArt.Rpc.Bench server --port 50051
//        GenArt.Rpc.Bench client --port 50051 [--seconds 10] [--concurrency 64] [--size 1024] [--connections 1]
//        GenArt.Rpc.Bench frame [--size 1024]   (writes one framed request to stdout, for h2load -d)
var mode = args.Length > 0 ? args[0] : "server";
string Arg(string name, string dflt)
{
    int i = Array.IndexOf(args, "--" + name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : dflt;
}
int port = int.Parse(Arg("port", "50051"));
int size = int.Parse(Arg("size", "1024"));

// Raw bytes both ways: the benchmark measures the RPC stack, not a serializer.
var bytesMarshaller = new Marshaller<byte[]>((m, w) => w.Write(m), s => s.ToArray());
var echo = new RpcMethod<byte[], byte[]>(MethodType.Unary, "genart.bench.Bench", "Echo", bytesMarshaller, bytesMarshaller);

switch (mode)
{
    case "server":
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(IPAddress.Loopback, port, l => l.Protocols = HttpProtocols.Http2);
            k.Limits.Http2.MaxStreamsPerConnection = 1000;
        });
        builder.Services.AddGenArtRpc();
        var app = builder.Build();
        app.UseGenArtRpc();
        app.MapGrpcService("genart.bench.Bench", b => b.Add(echo, (GenArt.Rpc.Server.UnaryServerMethod<byte[], byte[]>)((req, _) => Task.FromResult(req))));
        Console.WriteLine($"listening on 127.0.0.1:{port} (pid {Environment.ProcessId})");
        await app.RunAsync();
        break;
    }
    case "frame":
    {
        var frame = new byte[5 + size];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)size);
        using var stdout = Console.OpenStandardOutput();
        stdout.Write(frame);
        break;
    }
    case "httpclient":
    {
        // Baseline: the same call with plain HttpClient (no GenArt.Rpc client code), to separate
        // SocketsHttpHandler's own cost from ours.
        int seconds = int.Parse(Arg("seconds", "10"));
        int concurrency = int.Parse(Arg("concurrency", "64"));
        using var http = new HttpMessageInvoker(new SocketsHttpHandler { UseProxy = false });
        var frame = new byte[5 + size];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)size);
        var uri = new Uri($"http://127.0.0.1:{port}/genart.bench.Bench/Echo");
        long done = 0;
        var sw = Stopwatch.StartNew();
        var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            var buf = new byte[64 * 1024];
            while (sw.Elapsed.TotalSeconds < seconds)
            {
                using var req = new HttpRequestMessage(HttpMethod.Post, uri)
                {
                    Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact,
                    Content = new ByteArrayContent(frame),
                };
                req.Content.Headers.TryAddWithoutValidation("Content-Type", "application/grpc");
                req.Headers.TryAddWithoutValidation("te", "trailers");
                using var resp = await http.SendAsync(req, default);
                using var st = await resp.Content.ReadAsStreamAsync();
                while (await st.ReadAsync(buf) > 0) { }
                Interlocked.Increment(ref done);
            }
        }));
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu0;
        Console.WriteLine($"httpclient calls={done} rate={done / sw.Elapsed.TotalSeconds:F0}/s client_cpu={cpu.TotalSeconds:F2}s");
        break;
    }
    case "client":
    {
        int seconds = int.Parse(Arg("seconds", "10"));
        int concurrency = int.Parse(Arg("concurrency", "64"));
        int connections = int.Parse(Arg("connections", "1"));
        var channels = Enumerable.Range(0, connections)
            .Select(_ => RpcChannel.ForAddress($"http://127.0.0.1:{port}", new RpcChannelOptions
            {
                ConfigureHandler = h => h.EnableMultipleHttp2Connections = false,
            })).ToArray();
        var payload = new byte[size];
        // Warm up.
        for (int i = 0; i < 2000; i++) await channels[i % connections].UnaryAsync(echo, payload);
        long done = 0, errors = 0;
        var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        var sw = Stopwatch.StartNew();
        var end = TimeSpan.FromSeconds(seconds);
        var workers = Enumerable.Range(0, concurrency).Select(async w =>
        {
            var ch = channels[w % connections];
            while (sw.Elapsed < end)
            {
                try
                {
                    var r = await ch.UnaryAsync(echo, payload);
                    if (r.Length != size) Interlocked.Increment(ref errors);
                    Interlocked.Increment(ref done);
                }
                catch (RpcException) { Interlocked.Increment(ref errors); }
            }
        }).ToArray();
        await Task.WhenAll(workers);
        sw.Stop();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu0;
        Console.WriteLine($"calls={done} errors={errors} seconds={sw.Elapsed.TotalSeconds:F2} rate={done / sw.Elapsed.TotalSeconds:F0}/s " +
                          $"client_cpu={cpu.TotalSeconds:F2}s ({100 * cpu.TotalSeconds / sw.Elapsed.TotalSeconds:F0}% of one core)");
        foreach (var c in channels) c.Dispose();
        break;
    }
}
