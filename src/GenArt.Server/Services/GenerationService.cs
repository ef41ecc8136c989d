using System.Collections.Concurrent;
using System.Diagnostics;
using GenArt.Api.V1;
using GenArt.Jobs;
using GenArt.Rpc;
using GenArt.Rpc.Server;
using GenArt.Server.Admission;
using GenArt.Server.Auth;
using Google.Protobuf.Reflection;
using Microsoft.Extensions.Logging;
using JobEvent = GenArt.Jobs.JobEvent;
using WireEvent = GenArt.Api.V1.JobEvent;

namespace GenArt.Server.Services;

/// <summary>
/// genart.v1.Generation: Generate validates, admits and coalesces a request, then relays its job's events until the
/// terminal one, which becomes the call's status; WatchJob reattaches; CancelJob and GetJob act on the caller's jobs.
/// </summary>
public sealed partial class GenerationService(
    IJobQueue queue, BatchCoalescer coalescer, RequestValidator validator, AdapterAuthorizer adapters, Authenticator auth, ServerMetrics metrics,
    ServerOptions options, ILogger<GenerationService> logger, TimeProvider? time = null) : IRpcService
{
    private readonly CallGuard _guard = new(metrics, logger);
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>Jobs a WatchJob attached to since their Generate call ended; such a job is not abandoned.</summary>
    private readonly ConcurrentDictionary<JobId, bool> _reattached = new();

    public ServiceDescriptor Descriptor => GenerationReflection.Descriptor.Services[0];

    public void Bind(ServiceBinder binder) => binder
        .ServerStreaming<GenerateRequest, WireEvent>("Generate", (r, s, c) => _guard.Run("Generate", c, () => GenerateAsync(r, s, c)))
        .ServerStreaming<WatchJobRequest, WireEvent>("WatchJob", (r, s, c) => _guard.Run("WatchJob", c, () => WatchAsync(r, s, c)))
        .Unary<CancelJobRequest, CancelJobResponse>("CancelJob", (r, c) => _guard.Run("CancelJob", c, () => CancelAsync(r, c)))
        .Unary<GetJobRequest, GetJobResponse>("GetJob", (r, c) => _guard.Run("GetJob", c, () => GetAsync(r, c)));

    private async Task GenerateAsync(GenerateRequest request, IServerStreamWriter<WireEvent> stream, ServerCallContext context)
    {
        long started = Stopwatch.GetTimestamp();
        string tenant = auth.Tenant(context);
        var valid = validator.Validate(request);
        await adapters.AuthorizeAsync(valid, tenant, context.CancellationToken).ConfigureAwait(false);
        DateTimeOffset? deadline = context.Deadline == DateTime.MaxValue ? null : new DateTimeOffset(DateTime.SpecifyKind(context.Deadline, DateTimeKind.Utc));
        var spec = new JobSpec(JobId.New(_time), tenant, valid.Priority, valid.IdempotencyKey, deadline, _time.GetUtcNow(), valid.Samples);
        // Not cancellable by the call: once submitted the job may be in the queue, and abandoning it is handled below.
        var result = await coalescer.SubmitAsync(valid.Batch, valid.Priority, spec).ConfigureAwait(false);
        // A repeat attaches to another caller's job: it must not cancel that job when it leaves, and while it
        // follows the job, the first caller leaving does not abandon it either.
        if (!result.IsNew) _reattached[result.JobId] = true;
        try
        {
            await RelayAsync(result.JobId, 0, !result.IsNew, stream, context).ConfigureAwait(false);
            _reattached.TryRemove(result.JobId, out _); // the job ended: nothing is left to abandon
            metrics.JobFinished(Stopwatch.GetElapsedTime(started));
        }
        catch (Exception) when (result.IsNew && context.CancellationToken.IsCancellationRequested && DateTime.UtcNow < context.Deadline)
        {
            Abandon(result.JobId, tenant);
            throw;
        }
    }

    private async Task WatchAsync(WatchJobRequest request, IServerStreamWriter<WireEvent> stream, ServerCallContext context)
    {
        string tenant = auth.Tenant(context);
        var id = await OwnedJobAsync(request.JobId, tenant, context).ConfigureAwait(false);
        _reattached[id] = true;
        await RelayAsync(id, (long)Math.Min(request.AfterSequence, long.MaxValue), false, stream, context).ConfigureAwait(false);
        _reattached.TryRemove(id, out _); // the job ended: nothing is left to abandon
    }

    private async Task<CancelJobResponse> CancelAsync(CancelJobRequest request, ServerCallContext context)
    {
        string tenant = auth.Tenant(context);
        var id = ParseId(request.JobId);
        await queue.CancelAsync(id, tenant, context.CancellationToken).ConfigureAwait(false);
        var info = await queue.GetJobAsync(id, context.CancellationToken).ConfigureAwait(false) ?? throw new JobNotFoundException(id);
        return new CancelJobResponse { Job = EventConversion.ToJob(info) };
    }

    private async Task<GetJobResponse> GetAsync(GetJobRequest request, ServerCallContext context)
    {
        string tenant = auth.Tenant(context);
        var id = await OwnedJobAsync(request.JobId, tenant, context).ConfigureAwait(false);
        var info = await queue.GetJobAsync(id, context.CancellationToken).ConfigureAwait(false) ?? throw new JobNotFoundException(id);
        return new GetJobResponse { Job = EventConversion.ToJob(info) };
    }

    /// <summary>Relays events after <paramref name="after"/>; the terminal event ends the call with its status.</summary>
    private async Task RelayAsync(JobId id, long after, bool deduplicated, IServerStreamWriter<WireEvent> stream, ServerCallContext context)
    {
        DateTimeOffset? startedAt = null;
        long last = after;
        await foreach (JobEvent e in queue.WatchAsync(id, after, context.CancellationToken).ConfigureAwait(false))
        {
            // At-least-once delivery upstream: a sequence already relayed is a duplicate (docs/queue.md).
            if (e.Sequence <= last) continue;
            last = e.Sequence;
            switch (e.Body)
            {
                case JobCompleted:
                    return;
                case JobFailed failed:
                    throw new RpcException(StatusMapping.ToStatus(failed.Code), await FailureMessageAsync(id, failed, context).ConfigureAwait(false));
                case JobCancelled:
                    throw new RpcException(StatusCode.Cancelled, $"job {id} was cancelled");
                case JobImage when startedAt is null:
                    startedAt = (await queue.GetJobAsync(id, context.CancellationToken).ConfigureAwait(false))?.StartedAt;
                    break;
            }
            if (EventConversion.ToWire(e, deduplicated, startedAt) is { } wire)
                await stream.WriteAsync(wire, context.CancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The failure as the caller sees it; a dead-lettered job says so, with its id and deliveries, so that an
    /// operator can find the entry among the dead letters (a job that crashed every worker that took it).
    /// </summary>
    private async Task<string> FailureMessageAsync(JobId id, JobFailed failed, ServerCallContext context)
    {
        var info = await queue.GetJobAsync(id, context.CancellationToken).ConfigureAwait(false);
        return info is { State: Jobs.JobState.DeadLettered }
            ? $"job {id} was dead-lettered after {info.Attempts} deliveries; the last one ended with: {failed.Message}"
            : failed.Message;
    }

    private async Task<JobId> OwnedJobAsync(string text, string tenant, ServerCallContext context)
    {
        var id = ParseId(text);
        var info = await queue.GetJobAsync(id, context.CancellationToken).ConfigureAwait(false);
        // Another tenant's job is reported exactly like a missing one: existence is never revealed.
        if (info is null || info.Tenant != tenant) throw new JobNotFoundException(id);
        return id;
    }

    private static JobId ParseId(string text) =>
        JobId.TryParse(text, out var id) ? id : throw new RpcException(StatusCode.InvalidArgument, $"job_id: '{text}' is not a job id");
}
