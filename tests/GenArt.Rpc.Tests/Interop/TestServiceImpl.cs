using System.Diagnostics;
using GenArt.Rpc.Server;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.Testing;

namespace GenArt.Rpc.Tests.Interop;

/// <summary>
/// grpc.testing.TestService as the interop test descriptions define its server features: EmptyCall,
/// UnaryCall, CacheableUnaryCall, StreamingOutputCall, StreamingInputCall, FullDuplexCall, HalfDuplexCall;
/// Echo Status, Echo Metadata, CompressedRequest, CompressedResponse, interval_us. UnimplementedCall is
/// deliberately not registered.
/// </summary>
public sealed class TestServiceImpl : IRpcService
{
    public const string EchoInitialKey = "x-grpc-test-echo-initial";
    public const string EchoTrailingKey = "x-grpc-test-echo-trailing-bin";

    public ServiceDescriptor Descriptor => TestReflection.Descriptor.FindTypeByName<ServiceDescriptor>("TestService");

    public void Bind(ServiceBinder binder) => binder
        .Unary<Empty, Empty>("EmptyCall", (_, _) => Task.FromResult(new Empty()))
        .Unary<SimpleRequest, SimpleResponse>("UnaryCall", UnaryCall)
        .Unary<SimpleRequest, SimpleResponse>("CacheableUnaryCall", CacheableUnaryCall)
        .ServerStreaming<StreamingOutputCallRequest, StreamingOutputCallResponse>("StreamingOutputCall", StreamingOutputCall)
        .ClientStreaming<StreamingInputCallRequest, StreamingInputCallResponse>("StreamingInputCall", StreamingInputCall)
        .DuplexStreaming<StreamingOutputCallRequest, StreamingOutputCallResponse>("FullDuplexCall", FullDuplexCall)
        .DuplexStreaming<StreamingOutputCallRequest, StreamingOutputCallResponse>("HalfDuplexCall", HalfDuplexCall);

    /// <summary>Largest payload one response may ask for (keeps fuzzed requests from allocating gigabytes).</summary>
    public const int MaxResponseSize = 16 * 1024 * 1024;

    private static Payload Zeros(int size)
    {
        if (size < 0 || size > MaxResponseSize)
            throw new RpcException(StatusCode.InvalidArgument, $"Response size {size} is outside 0..{MaxResponseSize}.");
        return new() { Type = PayloadType.Compressable, Body = ByteString.CopyFrom(new byte[size]) };
    }

    private static void CheckParameters(StreamingOutputCallRequest request)
    {
        long total = 0;
        foreach (var p in request.ResponseParameters)
        {
            if (p.Size < 0 || p.IntervalUs < 0 || p.IntervalUs > 10_000_000)
                throw new RpcException(StatusCode.InvalidArgument, "Invalid response parameters.");
            total += p.Size;
        }
        if (total > 4L * MaxResponseSize) throw new RpcException(StatusCode.InvalidArgument, "Too much response data requested.");
    }

    private static async Task EchoMetadataAsync(ServerCallContext context)
    {
        var initial = context.RequestHeaders.Get(EchoInitialKey);
        if (initial is not null)
        {
            var md = new Metadata { initial };
            await context.WriteResponseHeadersAsync(md);
        }
        var trailing = context.RequestHeaders.Get(EchoTrailingKey);
        if (trailing is not null) context.ResponseTrailers.Add(trailing);
    }

    private static void CheckExpectCompressed(BoolValue? expect, ServerCallContext context)
    {
        if (expect is { Value: true } && !context.RequestMessageCompressed)
            throw new RpcException(StatusCode.InvalidArgument, "Expected a compressed request message.");
    }

    private static void EchoStatus(EchoStatus? status)
    {
        if (status is not null && status.Code != 0)
            throw new RpcException((StatusCode)status.Code, status.Message);
    }

    private static async Task<SimpleResponse> UnaryCall(SimpleRequest request, ServerCallContext context)
    {
        await EchoMetadataAsync(context);
        CheckExpectCompressed(request.ExpectCompressed, context);
        EchoStatus(request.ResponseStatus);
        if (request.ResponseType != PayloadType.Compressable)
            throw new RpcException(StatusCode.InvalidArgument, "Unsupported response type.");
        context.ResponseCompression = request.ResponseCompressed is { Value: true } ? "gzip" : null;
        return new SimpleResponse { Payload = Zeros(request.ResponseSize) };
    }

    private static Task<SimpleResponse> CacheableUnaryCall(SimpleRequest request, ServerCallContext context)
    {
        context.HttpContext.Response.Headers.CacheControl = "max-age=60";
        long nanos = Stopwatch.GetTimestamp() * (1_000_000_000L / Stopwatch.Frequency);
        return Task.FromResult(new SimpleResponse
        {
            Payload = new Payload { Body = ByteString.CopyFromUtf8(nanos.ToString(System.Globalization.CultureInfo.InvariantCulture)) },
        });
    }

    private static async Task WriteResponsesAsync(StreamingOutputCallRequest request, IServerStreamWriter<StreamingOutputCallResponse> stream,
        ServerCallContext context)
    {
        CheckParameters(request);
        foreach (var p in request.ResponseParameters)
        {
            if (p.IntervalUs > 0) await Task.Delay(TimeSpan.FromMicroseconds(p.IntervalUs), context.CancellationToken);
            if (p.Compressed is { Value: true }) context.ResponseCompression = "gzip";
            var options = p.Compressed is { Value: true } ? WriteOptions.Default : WriteOptions.NoCompress;
            stream.WriteOptions = options;
            await stream.WriteAsync(new StreamingOutputCallResponse { Payload = Zeros(p.Size) }, context.CancellationToken);
        }
    }

    private static async Task StreamingOutputCall(StreamingOutputCallRequest request, IServerStreamWriter<StreamingOutputCallResponse> stream,
        ServerCallContext context)
    {
        await EchoMetadataAsync(context);
        // Response compression is decided when headers go out: enable it up front if any message wants it.
        if (request.ResponseParameters.Any(p => p.Compressed is { Value: true })) context.ResponseCompression = "gzip";
        await WriteResponsesAsync(request, stream, context);
        EchoStatus(request.ResponseStatus);
    }

    private static async Task<StreamingInputCallResponse> StreamingInputCall(IAsyncStreamReader<StreamingInputCallRequest> requests,
        ServerCallContext context)
    {
        int total = 0;
        while (await requests.MoveNext(context.CancellationToken))
        {
            CheckExpectCompressed(requests.Current.ExpectCompressed, context);
            total += requests.Current.Payload?.Body.Length ?? 0;
        }
        return new StreamingInputCallResponse { AggregatedPayloadSize = total };
    }

    private static async Task FullDuplexCall(IAsyncStreamReader<StreamingOutputCallRequest> requests,
        IServerStreamWriter<StreamingOutputCallResponse> stream, ServerCallContext context)
    {
        await EchoMetadataAsync(context);
        while (await requests.MoveNext(context.CancellationToken))
        {
            var request = requests.Current;
            EchoStatus(request.ResponseStatus);
            await WriteResponsesAsync(request, stream, context);
        }
    }

    private static async Task HalfDuplexCall(IAsyncStreamReader<StreamingOutputCallRequest> requests,
        IServerStreamWriter<StreamingOutputCallResponse> stream, ServerCallContext context)
    {
        await EchoMetadataAsync(context);
        var all = new List<StreamingOutputCallRequest>();
        while (await requests.MoveNext(context.CancellationToken)) all.Add(requests.Current);
        foreach (var request in all)
        {
            EchoStatus(request.ResponseStatus);
            await WriteResponsesAsync(request, stream, context);
        }
    }
}
