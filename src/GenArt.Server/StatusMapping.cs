using System.Globalization;
using GenArt.Jobs;
using GenArt.Rpc;
using GenArt.Rpc.Server;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace GenArt.Server;

/// <summary>
/// The one place where failures become gRPC statuses: job error codes, queue exceptions, and everything else
/// (INTERNAL with a generic message, logged with detail), so no handler ever ends a call with UNKNOWN.
/// </summary>
public static class StatusMapping
{
    /// <summary>The status a job's error code ends its call with.</summary>
    public static StatusCode ToStatus(JobErrorCode code) => code switch
    {
        JobErrorCode.InvalidArgument => StatusCode.InvalidArgument,
        JobErrorCode.NotFound => StatusCode.NotFound,
        JobErrorCode.ResourceExhausted => StatusCode.ResourceExhausted,
        JobErrorCode.DeadlineExceeded => StatusCode.DeadlineExceeded,
        JobErrorCode.Cancelled => StatusCode.Cancelled,
        JobErrorCode.Unavailable => StatusCode.Unavailable,
        _ => StatusCode.Internal,
    };

    /// <summary>
    /// gRPC's retry pushback (proposal A6) tells well-behaved clients when to retry. GenArt.Rpc's Metadata refuses
    /// grpc-* keys, so the header goes on the HTTP response directly: in the trailers-only HEADERS frame when nothing
    /// was sent yet (always the case for admission), otherwise as a trailer.
    /// </summary>
    private static void SetRetryPushback(ServerCallContext context, TimeSpan retryAfter)
    {
        const string key = "grpc-retry-pushback-ms";
        string value = ((long)retryAfter.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
        var response = context.HttpContext.Response;
        if (response.HasStarted) response.AppendTrailer(key, value);
        else response.Headers[key] = value;
    }

    /// <summary>The RpcException for an exception raised while serving a call.</summary>
    public static RpcException ToRpcException(Exception e, ServerCallContext context, ILogger logger)
    {
        switch (e)
        {
            case RpcException rpc:
                return rpc;
            case QueueFullException full:
                SetRetryPushback(context, full.RetryAfter);
                return new RpcException(StatusCode.ResourceExhausted, full.Message);
            case JobQueueException queue:
                return new RpcException(ToStatus(queue.Code), queue.Message);
            case Redis.RedisConnectionException or Redis.RedisTimeoutException:
                ServerLog.HandlerFailed(logger, context.Method, e);
                return new RpcException(StatusCode.Unavailable, "the server cannot reach Redis; retry later");
            case OperationCanceledException when context.CancellationToken.IsCancellationRequested:
                return DateTime.UtcNow >= context.Deadline
                    ? new RpcException(StatusCode.DeadlineExceeded, "the call's deadline passed")
                    : new RpcException(StatusCode.Cancelled, "the call was cancelled");
            default:
                ServerLog.HandlerFailed(logger, context.Method, e);
                return new RpcException(StatusCode.Internal, "internal error; the server logged the details");
        }
    }
}

/// <summary>The server's log events, with fixed ids.</summary>
internal static partial class ServerLog
{
    [LoggerMessage(EventId = 1001, Level = LogLevel.Error, Message = "Call {Method} failed")]
    public static partial void HandlerFailed(ILogger logger, string method, Exception exception);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Information, Message = "Job {JobId} of tenant {Tenant} was abandoned by its caller; cancelled")]
    public static partial void Abandoned(ILogger logger, string jobId, string tenant);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Warning, Message = "Cancelling abandoned job {JobId} failed")]
    public static partial void AbandonFailed(ILogger logger, string jobId, Exception exception);
}
