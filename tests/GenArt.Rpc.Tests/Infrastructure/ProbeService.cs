using GenArt.Rpc.Server;
using Grpc.Testing;
using Microsoft.AspNetCore.Builder;

namespace GenArt.Rpc.Tests.Infrastructure;

/// <summary>A service without a proto descriptor that exercises server behaviours the interop suite does not.</summary>
public sealed class ProbeService
{
    public const string Name = "genart.test.Probe";

    public TaskCompletionSource HangCancelled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    public TaskCompletionSource HangStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    public TaskCompletionSource<bool> SlowFinished { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public static RpcMethod<Empty, Empty> Throw => RpcMethod.Unary<Empty, Empty>(Name, "Throw");
    public static RpcMethod<Empty, Empty> Hang => RpcMethod.Unary<Empty, Empty>(Name, "Hang");
    public static RpcMethod<StreamingInputCallRequest, StreamingInputCallResponse> HangStream =>
        RpcMethod.ClientStreaming<StreamingInputCallRequest, StreamingInputCallResponse>(Name, "HangStream");
    public static RpcMethod<Empty, Empty> Slow => RpcMethod.Unary<Empty, Empty>(Name, "Slow");
    public static RpcMethod<SimpleRequest, SimpleResponse> Big => RpcMethod.Unary<SimpleRequest, SimpleResponse>(Name, "Big");
    public static RpcMethod<Empty, Empty> Headers => RpcMethod.Unary<Empty, Empty>(Name, "Headers");
    public static RpcMethod<Empty, Empty> SetStatus => RpcMethod.Unary<Empty, Empty>(Name, "SetStatus");

    public void Map(WebApplication app) => app.MapGrpcService(Name, b => b
        .Unary<Empty, Empty>("Throw", (_, _) => throw new InvalidOperationException("secret detail 42"))
        .Unary<Empty, Empty>("Hang", async (_, ctx) =>
        {
            HangStarted.TrySetResult();
            try { await Task.Delay(Timeout.Infinite, ctx.CancellationToken); }
            catch (OperationCanceledException) { HangCancelled.TrySetResult(); throw; }
            return new Empty();
        })
        .ClientStreaming<StreamingInputCallRequest, StreamingInputCallResponse>("HangStream", async (reader, ctx) =>
        {
            HangStarted.TrySetResult();
            try { while (await reader.MoveNext(ctx.CancellationToken)) { } await Task.Delay(Timeout.Infinite, ctx.CancellationToken); }
            catch (OperationCanceledException) { HangCancelled.TrySetResult(); throw; }
            return new StreamingInputCallResponse();
        })
        .Unary<Empty, Empty>("Slow", async (_, ctx) =>
        {
            // Ignores the cancellation token: the server must still answer DEADLINE_EXCEEDED on time.
            await Task.Delay(3000);
            SlowFinished.TrySetResult(ctx.CancellationToken.IsCancellationRequested);
            return new Empty();
        })
        .Unary<SimpleRequest, SimpleResponse>("Big", (req, _) =>
            Task.FromResult(new SimpleResponse { Payload = new Payload { Body = Google.Protobuf.ByteString.CopyFrom(new byte[req.ResponseSize]) } }),
            m => m.MaxReceiveMessageSize = 8 * 1024 * 1024)
        .Unary<Empty, Empty>("Headers", async (_, ctx) =>
        {
            var echo = new Metadata();
            foreach (var e in ctx.RequestHeaders)
                if (e.Key.StartsWith("x-", StringComparison.Ordinal)) echo.Add(e);
            echo.Add("x-server-bin", new byte[] { 0, 1, 2, 0xff, 0xfe });
            await ctx.WriteResponseHeadersAsync(echo);
            ctx.ResponseTrailers.Add("x-trailer", "trailer value");
            ctx.ResponseTrailers.Add("x-trailer-bin", new byte[] { 9, 8, 7 });
            return new Empty();
        })
        .Unary<Empty, Empty>("SetStatus", (_, ctx) =>
        {
            ctx.Status = new Status(StatusCode.FailedPrecondition, "set, not thrown");
            ctx.ResponseTrailers.Add("x-why", "because");
            return Task.FromResult(new Empty());
        }));
}
