using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Headers;

namespace GenArt.Rpc.Tests.Infrastructure;

/// <summary>Plain HTTP/2 (h2c) requests, for checking what the server puts on the wire.</summary>
public sealed class RawHttp : IDisposable
{
    private readonly HttpClient _client;

    public RawHttp(int port)
    {
        _client = new HttpClient(new SocketsHttpHandler { UseProxy = false, AutomaticDecompression = DecompressionMethods.None })
        {
            BaseAddress = new Uri($"http://127.0.0.1:{port}"),
            DefaultRequestVersion = HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Timeout = TimeSpan.FromSeconds(20),
        };
    }

    public HttpClient Client => _client;

    public sealed record Response(HttpStatusCode StatusCode, HttpResponseHeaders Headers, HttpResponseHeaders Trailers,
        byte[] Body, string? ContentType)
    {
        public string? Header(string name) => Headers.TryGetValues(name, out var v) ? string.Join(",", v) : null;
        public string? Trailer(string name) => Trailers.TryGetValues(name, out var v) ? string.Join(",", v) : null;

        /// <summary>grpc-status from the trailers, or from the headers (trailers-only).</summary>
        public string? GrpcStatus => Trailer("grpc-status") ?? Header("grpc-status");

        public List<(byte Flag, byte[] Payload)> Frames()
        {
            var list = new List<(byte, byte[])>();
            int off = 0;
            while (off + 5 <= Body.Length)
            {
                int len = (int)BinaryPrimitives.ReadUInt32BigEndian(Body.AsSpan(off + 1));
                list.Add((Body[off], Body.AsSpan(off + 5, len).ToArray()));
                off += 5 + len;
            }
            return list;
        }
    }

    public static byte[] Frame(byte[] payload, byte flag = 0)
    {
        var f = new byte[5 + payload.Length];
        f[0] = flag;
        BinaryPrimitives.WriteUInt32BigEndian(f.AsSpan(1), (uint)payload.Length);
        payload.CopyTo(f, 5);
        return f;
    }

    public async Task<Response> PostAsync(string path, byte[] body, string contentType = "application/grpc",
        IEnumerable<KeyValuePair<string, string>>? headers = null, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = new ByteArrayContent(body),
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        request.Headers.TryAddWithoutValidation("te", "trailers");
        if (headers is not null)
            foreach (var (k, v) in headers) request.Headers.TryAddWithoutValidation(k, v);
        using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        return new Response(response.StatusCode, response.Headers, response.TrailingHeaders, bytes, response.Content.Headers.ContentType?.ToString());
    }

    public void Dispose() => _client.Dispose();
}
