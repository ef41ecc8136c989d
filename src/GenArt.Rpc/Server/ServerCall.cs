using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using GenArt.Rpc.Internal;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Microsoft.Extensions.Logging;

namespace GenArt.Rpc.Server;

/// <summary>One server-side call: request framing, response framing, status, deadline.</summary>
internal sealed class ServerCall : ServerCallContext
{
    private readonly HttpContext _http;
    private readonly RpcServerOptions _options;
    private readonly ILogger _logger;
    private readonly int _maxReceive;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly CancellationToken _token;
    private CancellationTokenSource? _cts;
    private Timer? _deadlineTimer;
    private volatile bool _deadlineExceeded;
    private Task? _deadlineTask;
    private DateTime _deadline = DateTime.MaxValue;
    private string? _requestEncoding;
    private string? _acceptEncoding;
    private Metadata? _requestHeaders;
    private Metadata? _trailers;
    private bool _completed;
    private bool _headersSent;
    private bool _anyMessageWritten;
    private string? _responseEncoding;
    private bool _requestCompressed;
    private ArrayBufferWriter<byte>? _buffer;

    public ServerCall(HttpContext http, string method, RpcServerOptions options, MethodOptions? methodOptions, ILogger logger)
    {
        _http = http;
        Method = method;
        _options = options;
        _logger = logger;
        _maxReceive = methodOptions?.MaxReceiveMessageSize ?? options.MaxReceiveMessageSize;
        ResponseCompression = options.ResponseCompression;
        _token = http.RequestAborted;
    }

    // ---- ServerCallContext -------------------------------------------------------------------------------

    public override string Method { get; }
    public override string Host => _http.Request.Host.Value ?? "";

    public override string Peer
    {
        get
        {
            var c = _http.Connection;
            if (c.RemoteIpAddress is null) return "unknown";
            return c.RemoteIpAddress.AddressFamily == AddressFamily.InterNetworkV6
                ? $"ipv6:[{c.RemoteIpAddress}]:{c.RemotePort}"
                : $"ipv4:{c.RemoteIpAddress}:{c.RemotePort}";
        }
    }

    public override Metadata RequestHeaders => _requestHeaders ??= BuildRequestHeaders();
    public override DateTime Deadline => _deadline;
    public override CancellationToken CancellationToken => CurrentToken;
    private CancellationToken CurrentToken => _cts?.Token ?? _token;
    public override Metadata ResponseTrailers => _trailers ??= new Metadata();
    public override Status Status { get; set; } = Status.DefaultSuccess;
    public override WriteOptions? WriteOptions { get; set; }
    public override string? ResponseCompression { get; set; }
    public override bool RequestMessageCompressed => _requestCompressed;
    public override HttpContext HttpContext => _http;

    private Metadata? _pendingResponseHeaders;

    public override async Task WriteResponseHeadersAsync(Metadata responseHeaders)
    {
        await _writeLock.WaitAsync(CurrentToken).ConfigureAwait(false);
        try
        {
            if (_completed) throw new InvalidOperationException("The call is complete.");
            if (_headersSent) throw new InvalidOperationException("Response headers were already sent.");
            _pendingResponseHeaders = responseHeaders;
            SendHeaders();
            await _http.Response.BodyWriter.FlushAsync(CurrentToken).ConfigureAwait(false);
        }
        finally { _writeLock.Release(); }
    }

    // ---- setup ----------------------------------------------------------------------------------------------

    /// <summary>Validates encoding, starts the deadline. Returns false after writing a trailers-only error.</summary>
    public bool Initialize()
    {
        var req = _http.Request;
        var resp = _http.Response;
        resp.ContentType = GrpcProtocol.ContentType;

        // Long-lived streams must not be killed by Kestrel's body-size and data-rate limits:
        // we enforce our own per-message limit.
        var f = _http.Features;
        var size = f.Get<IHttpMaxRequestBodySizeFeature>();
        if (size is { IsReadOnly: false }) size.MaxRequestBodySize = null;
        var rate = f.Get<IHttpMinRequestBodyDataRateFeature>();
        if (rate is not null) rate.MinDataRate = null;
        var rrate = f.Get<IHttpMinResponseDataRateFeature>();
        if (rrate is not null) rrate.MinDataRate = null;

        var headers = req.Headers;
        string? enc = headers[GrpcProtocol.EncodingHeader];
        if (!string.IsNullOrEmpty(enc) && enc != GrpcProtocol.Identity)
        {
            if (!GrpcProtocol.IsSupportedEncoding(enc))
            {
                resp.Headers[GrpcProtocol.AcceptEncodingHeader] = GrpcProtocol.AcceptEncodingValue;
                WriteTrailersOnly(_http, StatusCode.Unimplemented,
                    $"Unsupported grpc-encoding value '{enc}'. Supported encodings: {GrpcProtocol.AcceptEncodingValue}");
                _completed = true;
                return false;
            }
            _requestEncoding = enc;
        }
        _acceptEncoding = headers[GrpcProtocol.AcceptEncodingHeader];

        string? timeout = headers[GrpcProtocol.TimeoutHeader];
        if (!string.IsNullOrEmpty(timeout))
        {
            if (!GrpcProtocol.TryParseTimeout(timeout, out var span))
            {
                WriteTrailersOnly(_http, StatusCode.Internal, $"Invalid grpc-timeout value '{timeout}'.");
                _completed = true;
                return false;
            }
            // Timer's limit is ~49 days; longer deadlines are as good as none.
            if (span < TimeSpan.FromDays(30))
            {
                _deadline = DateTime.UtcNow + span;
                _cts = CancellationTokenSource.CreateLinkedTokenSource(_http.RequestAborted);
                _deadlineTimer = new Timer(static s => ((ServerCall)s!).OnDeadline(), this, span, Timeout.InfiniteTimeSpan);
            }
        }
        return true;
    }

    private Metadata BuildRequestHeaders()
    {
        var md = new Metadata();
        foreach (var (key, values) in _http.Request.Headers)
        {
            var k = key.ToLowerInvariant();
            if (GrpcProtocol.IsReservedHeader(k)) continue;
            foreach (var v in values)
            {
                if (v is null) continue;
                try { GrpcProtocol.AddHeaderToMetadata(md, k, v); }
                catch (ArgumentException) { /* not representable as metadata: skip */ }
            }
        }
        return md;
    }

    // ---- deadline ---------------------------------------------------------------------------------------------

    private void OnDeadline()
    {
        _deadlineExceeded = true;
        try { _cts?.Cancel(); } catch (ObjectDisposedException) { }
        _deadlineTask = DeadlineExceededAsync();
    }

    private async Task DeadlineExceededAsync()
    {
        // Handler writes are cancelled by the token, so the lock frees up promptly.
        await _writeLock.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_completed) return;
            _completed = true;
            if (_http.RequestAborted.IsCancellationRequested) return;
            WriteStatus(new Status(StatusCode.DeadlineExceeded, "Deadline Exceeded"));
            await _http.Response.CompleteAsync().ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            _logger.LogDebug(ex, "Could not send DEADLINE_EXCEEDED for {Method}", Method);
        }
        finally { _writeLock.Release(); }
    }

    // ---- reading ------------------------------------------------------------------------------------------------

    /// <summary>Reads the next request message; (false, default) at the end of the request stream.</summary>
    public async ValueTask<(bool, T)> ReadMessageAsync<T>(Marshaller<T> marshaller, CancellationToken cancellationToken)
    {
        try
        {
            return await ReadMessageCoreAsync(marshaller, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or ConnectionAbortedException)
        {
            // Kestrel reports a client RST_STREAM / disconnect as an I/O error: to handlers it is cancellation.
            throw new OperationCanceledException("The client cancelled the call.", ex, _http.RequestAborted);
        }
    }

    private async ValueTask<(bool, T)> ReadMessageCoreAsync<T>(Marshaller<T> marshaller, CancellationToken cancellationToken)
    {
        PipeReader reader = _http.Request.BodyReader;
        while (true)
        {
            ReadResult result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            ReadOnlySequence<byte> buffer = result.Buffer;
            if (result.IsCanceled)
            {
                reader.AdvanceTo(buffer.Start);
                throw new OperationCanceledException();
            }
            if (buffer.Length >= GrpcProtocol.HeaderSize)
            {
                ReadHeader(buffer, out byte flag, out uint length);
                if (flag > 1)
                {
                    reader.AdvanceTo(buffer.Start);
                    throw new RpcException(StatusCode.Internal, $"Invalid message flag {flag}: only 0 and 1 are defined.");
                }
                if (length > (uint)_maxReceive)
                {
                    reader.AdvanceTo(buffer.Start);
                    throw new RpcException(StatusCode.ResourceExhausted,
                        $"Received message larger than max ({length} vs. {_maxReceive})");
                }
                if (flag == 1 && _requestEncoding is null)
                {
                    reader.AdvanceTo(buffer.Start);
                    throw new RpcException(StatusCode.Internal,
                        "Request message is compressed but no grpc-encoding was sent.");
                }
                long frameLength = GrpcProtocol.HeaderSize + length;
                if (buffer.Length >= frameLength)
                {
                    var payload = buffer.Slice(GrpcProtocol.HeaderSize, length);
                    T message;
                    try
                    {
                        message = flag == 1
                            ? marshaller.Deserializer(new ReadOnlySequence<byte>(GrpcProtocol.Decompress(_requestEncoding!, payload, _maxReceive)))
                            : marshaller.Deserializer(payload);
                    }
                    catch (RpcException)
                    {
                        reader.AdvanceTo(buffer.Start);
                        throw;
                    }
                    catch (Exception ex)
                    {
                        reader.AdvanceTo(buffer.Start);
                        throw new RpcException(StatusCode.Internal, "Failed to deserialize request message: " + ex.GetType().Name);
                    }
                    reader.AdvanceTo(buffer.GetPosition(frameLength));
                    _requestCompressed = flag == 1;
                    return (true, message);
                }
            }
            if (result.IsCompleted)
            {
                long left = buffer.Length;
                reader.AdvanceTo(buffer.End);
                if (left == 0) return (false, default!);
                throw new RpcException(StatusCode.Internal, "Incomplete message: the request stream ended inside a message.");
            }
            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    private static void ReadHeader(in ReadOnlySequence<byte> buffer, out byte flag, out uint length)
    {
        Span<byte> header = stackalloc byte[GrpcProtocol.HeaderSize];
        buffer.Slice(0, GrpcProtocol.HeaderSize).CopyTo(header);
        flag = header[0];
        length = BinaryPrimitives.ReadUInt32BigEndian(header[1..]);
    }

    /// <summary>Reads exactly one message followed by the end of the request stream (unary / server-streaming).</summary>
    public async ValueTask<T> ReadSingleMessageAsync<T>(Marshaller<T> marshaller)
    {
        var token = CurrentToken;
        var (ok, message) = await ReadMessageAsync(marshaller, token).ConfigureAwait(false);
        if (!ok) throw new RpcException(StatusCode.Internal, "Request stream ended without a request message.");
        var (more, _) = await ReadMessageAsync(marshaller, token).ConfigureAwait(false);
        if (more) throw new RpcException(StatusCode.Internal, "Additional message received for a single-request method.");
        return message;
    }

    // ---- writing -------------------------------------------------------------------------------------------------

    private void SendHeaders()
    {
        _headersSent = true;
        var headers = _http.Response.Headers;
        headers[GrpcProtocol.AcceptEncodingHeader] = GrpcProtocol.AcceptEncodingValue;
        string? want = ResponseCompression;
        if (want is not null && want != GrpcProtocol.Identity && GrpcProtocol.IsSupportedEncoding(want) && ClientAccepts(want))
        {
            _responseEncoding = want;
            headers[GrpcProtocol.EncodingHeader] = want;
        }
        if (_pendingResponseHeaders is { Count: > 0 } custom)
            foreach (var e in custom)
                headers.Append(e.Key, GrpcProtocol.HeaderValue(e));
    }

    private bool ClientAccepts(string encoding)
    {
        if (string.IsNullOrEmpty(_acceptEncoding)) return false;
        foreach (var part in _acceptEncoding.Split(','))
            if (part.Trim() == encoding) return true;
        return false;
    }

    /// <summary>Serializes, frames and writes one response message.</summary>
    public async Task WriteMessageAsync<T>(T message, Marshaller<T> marshaller, WriteOptions? options, bool flush, CancellationToken cancellationToken)
    {
        var token = cancellationToken.CanBeCanceled ? cancellationToken : CurrentToken;
        await _writeLock.WaitAsync(token).ConfigureAwait(false);
        try
        {
            if (_completed)
                throw new RpcException(_deadlineExceeded ? new Status(StatusCode.DeadlineExceeded, "Deadline Exceeded") : new Status(StatusCode.Cancelled, "The call is complete."));
            token.ThrowIfCancellationRequested();
            if (!_headersSent) SendHeaders();

            var buffer = _buffer ??= new ArrayBufferWriter<byte>(256);
            buffer.ResetWrittenCount();
            marshaller.Serializer(message, buffer);
            ReadOnlySpan<byte> payload = buffer.WrittenSpan;
            byte flag = 0;
            if (_responseEncoding is not null && (options ?? WriteOptions ?? WriteOptions.Default).Compress)
            {
                payload = GrpcProtocol.Compress(_responseEncoding, payload);
                flag = 1;
            }
            if (_options.MaxSendMessageSize is int maxSend && payload.Length > maxSend)
                throw new RpcException(StatusCode.ResourceExhausted, $"Sending message larger than max ({payload.Length} vs. {maxSend})");

            var writer = _http.Response.BodyWriter;
            var span = writer.GetSpan(GrpcProtocol.HeaderSize + payload.Length);
            span[0] = flag;
            BinaryPrimitives.WriteUInt32BigEndian(span[1..], (uint)payload.Length);
            payload.CopyTo(span[GrpcProtocol.HeaderSize..]);
            writer.Advance(GrpcProtocol.HeaderSize + payload.Length);
            _anyMessageWritten = true;
            if (flush) await writer.FlushAsync(token).ConfigureAwait(false);
        }
        finally { _writeLock.Release(); }
    }

    // ---- completion ------------------------------------------------------------------------------------------------

    /// <summary>Ends the call: status from the handler's outcome, trailers (or trailers-only headers).</summary>
    public async Task EndAsync(Exception? error)
    {
        if (_deadlineTimer is not null)
        {
            await _deadlineTimer.DisposeAsync().ConfigureAwait(false);
            if (_deadlineTask is not null) await _deadlineTask.ConfigureAwait(false);
        }

        await _writeLock.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_completed) return;
            _completed = true;
            bool aborted = _http.RequestAborted.IsCancellationRequested;
            Status status;
            if (error is null)
            {
                status = Status;
            }
            else if (error is RpcException rpc)
            {
                status = rpc.Status;
                if (rpc.Trailers.Count > 0)
                    foreach (var e in rpc.Trailers) ResponseTrailers.Add(e);
            }
            else if (_deadlineExceeded && IsCancellation(error))
            {
                status = new Status(StatusCode.DeadlineExceeded, "Deadline Exceeded");
            }
            else if (IsCancellation(error))
            {
                // The client reset the stream or went away (Kestrel may report it before RequestAborted fires),
                // or the handler gave up on a cancelled token: not a server fault.
                status = new Status(StatusCode.Cancelled, "Call cancelled.");
                _logger.LogDebug(error, "Call {Method} cancelled", Method);
            }
            else
            {
                _logger.LogError(error, "Unhandled exception in gRPC handler {Method}", Method);
                status = new Status(StatusCode.Internal, _options.EnableDetailedErrors
                    ? $"Exception was thrown by handler. {error.GetType().Name}: {error.Message}"
                    : "Exception was thrown by handler.");
            }
            if (aborted) return; // the stream was reset: nothing can be sent
            WriteStatus(status);
        }
        catch (Exception ex)
        {
            _logger.LogDebug(ex, "Could not complete call {Method}", Method);
        }
        finally { _writeLock.Release(); }
    }

    private static bool IsCancellation(Exception ex)
        => ex is OperationCanceledException or ConnectionAbortedException or IOException
           || ex.InnerException is OperationCanceledException or ConnectionAbortedException;

    private void WriteStatus(Status status)
    {
        var response = _http.Response;
        if (!_headersSent && !_anyMessageWritten && !response.HasStarted)
        {
            // Trailers-only: status and trailers go in the only HEADERS frame.
            _headersSent = true;
            var h = response.Headers;
            if (_pendingResponseHeaders is { Count: > 0 } custom)
                foreach (var e in custom) h.Append(e.Key, GrpcProtocol.HeaderValue(e));
            h[GrpcProtocol.StatusHeader] = ((int)status.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (!string.IsNullOrEmpty(status.Detail)) h[GrpcProtocol.MessageHeader] = GrpcProtocol.PercentEncode(status.Detail);
            if (_trailers is { Count: > 0 })
                foreach (var e in _trailers) h.Append(e.Key, GrpcProtocol.HeaderValue(e));
            return;
        }
        response.AppendTrailer(GrpcProtocol.StatusHeader, ((int)status.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (!string.IsNullOrEmpty(status.Detail)) response.AppendTrailer(GrpcProtocol.MessageHeader, GrpcProtocol.PercentEncode(status.Detail));
        if (_trailers is { Count: > 0 })
            foreach (var e in _trailers) response.AppendTrailer(e.Key, GrpcProtocol.HeaderValue(e));
    }

    /// <summary>An error response with no body: HTTP 200, grpc-status/grpc-message in the headers.</summary>
    public static void WriteTrailersOnly(HttpContext http, StatusCode code, string detail, int httpStatus = 200)
    {
        var response = http.Response;
        response.StatusCode = httpStatus;
        response.ContentType = GrpcProtocol.ContentType;
        response.Headers[GrpcProtocol.StatusHeader] = ((int)code).ToString(System.Globalization.CultureInfo.InvariantCulture);
        response.Headers[GrpcProtocol.MessageHeader] = GrpcProtocol.PercentEncode(detail);
    }

    public void Dispose()
    {
        _cts?.Dispose();
        _writeLock.Dispose();
    }
}
