using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using GenArt.Rpc.Internal;

namespace GenArt.Rpc.Client;

internal abstract class ClientCallBase : IClientCallState
{
    public abstract Task<Metadata> ResponseHeadersAsync { get; }
    public abstract Status GetStatus();
    public abstract Metadata GetTrailers();
    public abstract void Dispose();
}

/// <summary>One client call over an HTTP/2 stream.</summary>
internal sealed class ClientCall<TRequest, TResponse> : ClientCallBase, IAsyncStreamReader<TResponse>, IClientStreamWriter<TRequest>
{
    private static readonly MediaTypeHeaderValue GrpcContentType = new(GrpcProtocol.ContentType);

    private readonly RpcChannel _channel;
    private readonly RpcMethod<TRequest, TResponse> _method;
    private readonly CallOptions _options;
    private readonly CancellationTokenSource _cts = new();
    private readonly TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly object _lock = new();
    private readonly byte[] _header = new byte[GrpcProtocol.HeaderSize];
    private CancellationTokenRegistration _userCancellation;
    private Timer? _deadlineTimer;
    private volatile bool _deadlineHit;
    private volatile bool _cancelledByClient;
    private string? _requestEncoding;
    private Task<Metadata> _headersTask = null!;
    private HttpResponseMessage? _response;
    private Stream? _responseStream;
    private string? _responseEncoding;
    private bool _trailersOnly;
    private Status? _status;
    private Metadata? _trailers;
    private PushContent? _content;
    private bool _completeCalled;

    public ClientCall(RpcChannel channel, RpcMethod<TRequest, TResponse> method, CallOptions options)
    {
        _channel = channel;
        _method = method;
        _options = options;
        WriteOptions = options.WriteOptions;
        var enc = options.Compression ?? channel.Options.Compression;
        if (enc is not null && enc != GrpcProtocol.Identity)
        {
            if (!GrpcProtocol.IsSupportedEncoding(enc)) throw new ArgumentException($"Unsupported compression '{enc}'.");
            _requestEncoding = enc;
        }
    }

    public TResponse Current { get; private set; } = default!;
    public WriteOptions? WriteOptions { get; set; }
    public override Task<Metadata> ResponseHeadersAsync => _headersTask;

    public override Status GetStatus()
    {
        lock (_lock) return _status ?? throw new InvalidOperationException("The call has not finished yet.");
    }

    public override Metadata GetTrailers()
    {
        lock (_lock) return _status is null ? throw new InvalidOperationException("The call has not finished yet.") : _trailers ?? new Metadata();
    }

    // ---- start ----------------------------------------------------------------------------------------------

    public void StartWithRequest(TRequest request)
    {
        byte[] frame;
        try { frame = Frame(request, WriteOptions); }
        catch (RpcException ex)
        {
            Finish(ex.Status, new Metadata());
            _headersTask = Task.FromException<Metadata>(new RpcException(ex.Status));
            return;
        }
        var content = new ByteArrayContent(frame);
        content.Headers.ContentType = GrpcContentType;
        Send(content);
    }

    public void StartStreaming()
    {
        _content = new PushContent();
        _content.Headers.ContentType = GrpcContentType;
        Send(_content);
    }

    private void Send(HttpContent content)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_channel.Address, _method.FullName))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = content,
        };
        var h = request.Headers;
        h.TryAddWithoutValidation("te", "trailers");
        h.TryAddWithoutValidation("user-agent", _channel.Options.UserAgent);
        h.TryAddWithoutValidation(GrpcProtocol.AcceptEncodingHeader, GrpcProtocol.AcceptEncodingValue);
        if (_requestEncoding is not null) h.TryAddWithoutValidation(GrpcProtocol.EncodingHeader, _requestEncoding);
        if (_options.Headers is { } md)
            foreach (var e in md) h.TryAddWithoutValidation(e.Key, GrpcProtocol.HeaderValue(e));

        if (_options.Deadline is { } deadline)
        {
            var remaining = deadline.ToUniversalTime() - DateTime.UtcNow;
            if (remaining <= TimeSpan.Zero)
            {
                _deadlineHit = true;
                var st = new Status(StatusCode.DeadlineExceeded, "Deadline Exceeded");
                Finish(st, new Metadata());
                _headersTask = Task.FromException<Metadata>(new RpcException(st));
                request.Dispose();
                return;
            }
            h.TryAddWithoutValidation(GrpcProtocol.TimeoutHeader, GrpcProtocol.FormatTimeout(remaining));
            if (remaining < TimeSpan.FromDays(30))
                _deadlineTimer = new Timer(static s => ((ClientCall<TRequest, TResponse>)s!).OnDeadline(), this, remaining, Timeout.InfiniteTimeSpan);
        }
        if (_options.CancellationToken.CanBeCanceled)
            _userCancellation = _options.CancellationToken.Register(static s => ((ClientCall<TRequest, TResponse>)s!).Cancel(), this);

        var send = _channel.Invoker.SendAsync(request, _cts.Token);
        _headersTask = ReadHeadersAsync(send);
    }

    private void OnDeadline()
    {
        _deadlineHit = true;
        Finish(new Status(StatusCode.DeadlineExceeded, "Deadline Exceeded"), new Metadata());
    }

    private void Cancel()
    {
        _cancelledByClient = true;
        Finish(new Status(StatusCode.Cancelled, "Call canceled by the client."), new Metadata());
    }

    private async Task<Metadata> ReadHeadersAsync(Task<HttpResponseMessage> send)
    {
        HttpResponseMessage response;
        try
        {
            response = await send.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            var st = MapException(ex);
            Finish(st, new Metadata());
            throw new RpcException(GetStatus(), GetTrailers());
        }
        lock (_lock)
        {
            if (_status is not null) { response.Dispose(); }
            else _response = response;
        }
        if (_response is null) throw new RpcException(GetStatus(), GetTrailers());

        var headers = ToMetadata(response.Headers);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            Finish(new Status(GrpcProtocol.FromHttpStatus((int)response.StatusCode),
                $"Bad gRPC response. HTTP status code: {(int)response.StatusCode}"), headers);
            return headers;
        }
        string? status = FirstHeader(response.Headers, GrpcProtocol.StatusHeader);
        var contentType = response.Content.Headers.ContentType?.ToString();
        if (!GrpcProtocol.IsGrpcContentType(contentType))
        {
            Finish(new Status(StatusCode.Unknown, $"Bad gRPC response. Invalid content-type value: {contentType}"), headers);
            return headers;
        }
        if (status is not null)
        {
            // Trailers-only response: the status and trailers are in the headers.
            _trailersOnly = true;
            Finish(ParseStatus(status, FirstHeader(response.Headers, GrpcProtocol.MessageHeader)), headers);
            return headers;
        }
        _responseEncoding = FirstHeader(response.Headers, GrpcProtocol.EncodingHeader);
        if (_responseEncoding == GrpcProtocol.Identity) _responseEncoding = null;
        return headers;
    }

    // ---- reading ----------------------------------------------------------------------------------------------

    public async Task<bool> MoveNext(CancellationToken cancellationToken = default)
    {
        CancellationTokenRegistration reg = default;
        if (cancellationToken.CanBeCanceled)
            reg = cancellationToken.Register(static s => ((ClientCall<TRequest, TResponse>)s!).Cancel(), this);
        try
        {
            await _headersTask.ConfigureAwait(false);
            lock (_lock)
            {
                if (_status is { } st)
                {
                    if (st.StatusCode == StatusCode.OK && (_trailersOnly || _responseStream is null && _response is null)) return false;
                    if (st.StatusCode != StatusCode.OK) throw new RpcException(st, _trailers ?? new Metadata());
                    return false;
                }
            }
            var token = _cts.Token;
            _responseStream ??= await _response!.Content.ReadAsStreamAsync(token).ConfigureAwait(false);
            int n = await _responseStream.ReadAtLeastAsync(_header, GrpcProtocol.HeaderSize, throwOnEndOfStream: false, token).ConfigureAwait(false);
            if (n == 0)
            {
                FinishFromTrailers();
                var st = GetStatus();
                if (st.StatusCode != StatusCode.OK) throw new RpcException(st, GetTrailers());
                return false;
            }
            if (n < GrpcProtocol.HeaderSize) throw Fail(StatusCode.Internal, "Incomplete message header in the response.");
            byte flag = _header[0];
            uint length = BinaryPrimitives.ReadUInt32BigEndian(_header.AsSpan(1));
            if (flag > 1) throw Fail(StatusCode.Internal, $"Invalid message flag {flag} in the response.");
            int max = _channel.Options.MaxReceiveMessageSize;
            if (length > (uint)max) throw Fail(StatusCode.ResourceExhausted, $"Received message larger than max ({length} vs. {max})");
            if (flag == 1 && _responseEncoding is null)
                throw Fail(StatusCode.Internal, "Response message is compressed but no grpc-encoding was sent.");
            var payload = ArrayPool<byte>.Shared.Rent((int)length);
            try
            {
                await _responseStream.ReadExactlyAsync(payload.AsMemory(0, (int)length), token).ConfigureAwait(false);
                var data = new ReadOnlySequence<byte>(payload, 0, (int)length);
                if (flag == 1) data = new ReadOnlySequence<byte>(GrpcProtocol.Decompress(_responseEncoding!, data, max));
                try { Current = _method.ResponseMarshaller.Deserializer(data); }
                catch (Exception ex) when (ex is not RpcException)
                {
                    throw Fail(StatusCode.Internal, "Failed to deserialize response message: " + ex.GetType().Name);
                }
            }
            finally { ArrayPool<byte>.Shared.Return(payload); }
            return true;
        }
        catch (RpcException ex)
        {
            Finish(ex.Status, ex.Trailers);
            var st = GetStatus();
            if (st != ex.Status) throw new RpcException(st, GetTrailers());
            throw;
        }
        catch (Exception ex)
        {
            Finish(MapException(ex), new Metadata());
            throw new RpcException(GetStatus(), GetTrailers());
        }
        finally
        {
            reg.Dispose();
        }
    }

    private RpcException Fail(StatusCode code, string detail)
    {
        var st = new Status(code, detail);
        Finish(st, new Metadata());
        return new RpcException(st);
    }

    public async Task<TResponse> ReadSingleResponseAsync()
    {
        if (!await MoveNext().ConfigureAwait(false))
            throw Fail(StatusCode.Internal, "The server ended the call with OK but without a response message.");
        var message = Current;
        if (await MoveNext().ConfigureAwait(false))
            throw Fail(StatusCode.Internal, "The server sent more than one response message for a single-response method.");
        return message;
    }

    private void FinishFromTrailers()
    {
        var trailers = _response!.TrailingHeaders;
        var status = FirstHeader(trailers, GrpcProtocol.StatusHeader);
        var md = ToMetadata(trailers);
        Finish(status is null
            ? new Status(StatusCode.Internal, "No grpc-status found on response.")
            : ParseStatus(status, FirstHeader(trailers, GrpcProtocol.MessageHeader)), md);
    }

    // ---- writing ----------------------------------------------------------------------------------------------

    public async Task WriteAsync(TRequest message, CancellationToken cancellationToken = default)
    {
        if (_content is null) throw new InvalidOperationException("This call has no request stream.");
        if (_completeCalled) throw new InvalidOperationException("Request stream has already been completed.");
        var frame = Frame(message, WriteOptions);
        var which = await Task.WhenAny(_content.StreamTask, _finished.Task).ConfigureAwait(false);
        if (which == _finished.Task) throw CompletedException();
        var stream = await _content.StreamTask.ConfigureAwait(false);
        try
        {
            using var linked = cancellationToken.CanBeCanceled ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _cts.Token) : null;
            var token = linked?.Token ?? _cts.Token;
            await stream.WriteAsync(frame, token).ConfigureAwait(false);
            await stream.FlushAsync(token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not RpcException)
        {
            if (_finished.Task.IsCompleted) throw CompletedException();
            if (cancellationToken.IsCancellationRequested) Cancel();
            else
            {
                // A server may answer before it has read the whole request (a client-streaming call it refuses early)
                // and then reset the stream (RFC 9113, 8.1), which fails this write. Its status, already on the way in
                // the response headers, is the call's status, not the failed write: wait for the headers, then finish.
                await Task.WhenAny(_headersTask, _finished.Task).ConfigureAwait(false);
                Finish(MapException(ex), new Metadata());
            }
            throw new RpcException(GetStatus(), GetTrailers());
        }
    }

    private Exception CompletedException()
    {
        var st = GetStatus();
        return st.StatusCode == StatusCode.OK
            ? new InvalidOperationException("Can't write the message because the call is complete.")
            : new RpcException(st, GetTrailers());
    }

    public Task CompleteAsync()
    {
        _completeCalled = true;
        _content?.Complete();
        return Task.CompletedTask;
    }

    private byte[] Frame(TRequest message, WriteOptions? options)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        _method.RequestMarshaller.Serializer(message, buffer);
        ReadOnlySpan<byte> payload = buffer.WrittenSpan;
        byte flag = 0;
        if (_requestEncoding is not null && (options ?? WriteOptions.Default).Compress)
        {
            payload = GrpcProtocol.Compress(_requestEncoding, payload);
            flag = 1;
        }
        if (_channel.Options.MaxSendMessageSize is int max && payload.Length > max)
            throw new RpcException(StatusCode.ResourceExhausted, $"Sending message larger than max ({payload.Length} vs. {max})");
        var frame = new byte[GrpcProtocol.HeaderSize + payload.Length];
        frame[0] = flag;
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)payload.Length);
        payload.CopyTo(frame.AsSpan(GrpcProtocol.HeaderSize));
        return frame;
    }

    // ---- completion -------------------------------------------------------------------------------------------

    private void Finish(Status status, Metadata trailers)
    {
        HttpResponseMessage? toDispose = null;
        lock (_lock)
        {
            if (_status is not null) return;
            _status = status;
            _trailers = trailers;
            // A call that ended early (error, cancel, deadline) resets its HTTP/2 stream.
            if (status.StatusCode != StatusCode.OK)
            {
                toDispose = _response;
                try { _cts.Cancel(); } catch (ObjectDisposedException) { }
            }
        }
        _finished.TrySetResult();
        _content?.Abort();
        _deadlineTimer?.Dispose();
        _userCancellation.Dispose();
        toDispose?.Dispose();
    }

    public override void Dispose()
    {
        Finish(new Status(StatusCode.Cancelled, "Call canceled by the client."), new Metadata());
        _response?.Dispose();
    }

    private Status MapException(Exception ex)
    {
        if (_deadlineHit) return new Status(StatusCode.DeadlineExceeded, "Deadline Exceeded");
        if (_cancelledByClient || _options.CancellationToken.IsCancellationRequested)
            return new Status(StatusCode.Cancelled, "Call canceled by the client.");
        for (var e = ex; e is not null; e = e.InnerException)
        {
            if (e is RpcException rpc) return rpc.Status;
            if (e is HttpProtocolException proto)
            {
                var code = proto.ErrorCode switch
                {
                    0x8 => StatusCode.Cancelled,           // CANCEL
                    0x7 => StatusCode.Unavailable,         // REFUSED_STREAM
                    0xb => StatusCode.ResourceExhausted,   // ENHANCE_YOUR_CALM
                    0xc => StatusCode.PermissionDenied,    // INADEQUATE_SECURITY
                    _ => StatusCode.Internal,
                };
                return new Status(code, "HTTP/2 stream error: " + proto.Message);
            }
        }
        return ex switch
        {
            HttpRequestException => new Status(StatusCode.Unavailable, "Error starting gRPC call: " + ex.Message),
            OperationCanceledException => new Status(StatusCode.Cancelled, "Call canceled."),
            IOException => new Status(StatusCode.Unavailable, "Error reading from the server: " + ex.Message),
            _ => new Status(StatusCode.Internal, "Error in the gRPC call: " + ex.GetType().Name + ": " + ex.Message),
        };
    }

    // ---- helpers ------------------------------------------------------------------------------------------------

    private static string? FirstHeader(HttpHeaders headers, string name)
        => headers.NonValidated.TryGetValues(name, out var values) && values.Count > 0 ? values.ToString() : null;

    private static Status ParseStatus(string code, string? message)
    {
        if (!int.TryParse(code, NumberStyles.None, CultureInfo.InvariantCulture, out int c))
            return new Status(StatusCode.Unknown, $"Invalid grpc-status '{code}'.");
        return new Status((StatusCode)c, message is null ? "" : GrpcProtocol.PercentDecode(message));
    }

    private static Metadata ToMetadata(HttpHeaders headers)
    {
        var md = new Metadata();
        foreach (var (key, values) in headers.NonValidated)
        {
            var k = key.ToLowerInvariant();
            if (GrpcProtocol.IsReservedHeader(k)) continue;
            foreach (var v in values)
            {
                try { GrpcProtocol.AddHeaderToMetadata(md, k, v); }
                catch (ArgumentException) { }
            }
        }
        return md;
    }

    /// <summary>Request body written by the caller, message by message.</summary>
    private sealed class PushContent : HttpContent
    {
        private readonly TaskCompletionSource<Stream> _stream = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<Stream> StreamTask => _stream.Task;
        public void Complete() => _done.TrySetResult();
        public void Abort() => _done.TrySetResult();

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => SerializeToStreamAsync(stream, context, default);

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
        {
            _stream.TrySetResult(stream);
            return _done.Task;
        }

        protected override bool TryComputeLength(out long length)
        {
            length = -1;
            return false;
        }
    }
}
