using GenArt.Jobs;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace GenArt.Worker;

/// <summary>
/// Drains entries from a queue: claim, run the generation batch or the fine-tune, publish each job's events,
/// acknowledge.
/// </summary>
/// <remarks>
/// Everything runs on one dedicated thread: model loading, the denoising loop and the queue calls around it, because
/// one device's work must stay on one thread (DESIGN.md, engine rules) and a long batch must not hold a thread-pool
/// thread. Queue calls block that thread; for the in-process queue they complete synchronously.
/// <para>With both kinds (<see cref="WorkerOptions.Kinds"/>) the loop waits for generation and looks for a fine-tune
/// only when a whole claim wait passed without generation work, with a claim that does not wait. Generation is
/// interactive and a fine-tune occupies the worker for minutes to hours, so a worker busy with generation keeps
/// serving it, an idle one picks up a fine-tune within one claim wait, and a generation entry never waits behind a
/// fine-tune poll. Fine-tunes that must not queue behind steady generation traffic get workers of their own
/// (<c>genart worker --kinds finetune</c>).</para>
/// </remarks>
public sealed class GenerationWorker : IAsyncDisposable
{
    private readonly IJobQueue _queue;
    private readonly ModelCache _models;
    private readonly WorkerOptions _options;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _draining = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly bool _preload;
    private readonly WorkerAdapters? _adapters;
    private readonly bool _generate;
    private readonly bool _fineTune;
    private volatile bool _released;
    private Thread? _thread;

    /// <param name="preload">Load every model before the first claim (<see cref="Ready"/> completes after).</param>
    /// <param name="adapters">Resolves the adapters samples name; without it a sample that names one fails its job. Fine-tunes
    /// need it too: it holds the registry they register to and the data directory of their training sets.</param>
    /// <exception cref="ArgumentException">The options name no kind, or fine-tunes alone without <paramref name="adapters"/>.</exception>
    public GenerationWorker(IJobQueue queue, ModelCache models, WorkerOptions? options = null, ILogger? logger = null, bool preload = true,
        WorkerAdapters? adapters = null)
    {
        _adapters = adapters;
        _queue = queue;
        _models = models;
        _options = options ?? new WorkerOptions();
        _logger = logger ?? NullLogger.Instance;
        _preload = preload;
        _generate = _options.Kinds.Contains(EntryKind.Generate);
        _fineTune = _options.Kinds.Contains(EntryKind.FineTune) && adapters is not null;
        if (!_generate && !_fineTune)
            throw new ArgumentException(_options.Kinds.Count == 0
                ? "the worker must claim at least one entry kind"
                : "a fine-tune worker needs the adapter registry and the data directory (adapters)", nameof(options));
    }

    /// <summary>Whether this worker claims fine-tune entries.</summary>
    public bool TrainsFineTunes => _fineTune;

    /// <summary>Completes once the models are loaded and the worker claims work; faults if a model failed to load.</summary>
    public Task Ready => _ready.Task;

    /// <summary>Starts the worker thread.</summary>
    public void Start()
    {
        if (_thread is not null) throw new InvalidOperationException("the worker is already started");
        _thread = new Thread(Run) { Name = "genart-worker", IsBackground = true };
        _thread.Start();
    }

    /// <summary>Completes when the worker thread has ended.</summary>
    public Task Stopped => _stopped.Task;

    /// <summary>
    /// Graceful stop: claims no more work and lets the batch in progress finish for up to <paramref name="grace"/>;
    /// a batch still running then is given back to the queue (released, so the delivery does not count).
    /// A fine-tune in progress stops at its next step instead (it checkpoints and is released for another worker to
    /// resume). Returns true when the worker ended within the grace period without releasing anything.
    /// </summary>
    public async Task<bool> StopAsync(TimeSpan grace)
    {
        _draining.Cancel();
        if (_thread is null) return true;
        bool inTime = await Task.WhenAny(_stopped.Task, Task.Delay(grace)).ConfigureAwait(false) == _stopped.Task;
        if (!inTime) _stopping.Cancel();
        await _stopped.Task.ConfigureAwait(false);
        return inTime && !_released;
    }

    /// <summary>Stops claiming; a batch in progress is given back to the queue (released) and the thread ends.</summary>
    public async ValueTask DisposeAsync()
    {
        _draining.Cancel();
        _stopping.Cancel();
        if (_thread is not null) await _stopped.Task.ConfigureAwait(false);
        _draining.Dispose();
        _stopping.Dispose();
    }

    private void Run()
    {
        try
        {
            if (_preload)
                foreach (var name in _models.Names) _models.Get(name);
            _ready.TrySetResult();
        }
        catch (Exception e)
        {
            WorkerLog.ModelLoadFailed(_logger, string.Join(", ", _models.Names), e);
            _ready.TrySetException(e);
            _stopped.TrySetResult();
            return;
        }

        // Draining ends the claim loop; stopping also aborts the batch in progress (which is then released).
        var token = _draining.Token;
        var abort = _stopping.Token;
        int failures = 0;
        while (!token.IsCancellationRequested)
        {
            try
            {
                var claim = NextClaim(token);
                failures = 0;
                if (claim is null) continue;
                if (claim.Kind == EntryKind.FineTune)
                {
                    if (new FineTuneRun(_queue, _models, _options, _adapters!, _logger, claim, token, abort).Execute() == FineTuneOutcome.Released)
                        _released = true;
                }
                else
                    new BatchRun(_queue, _models, _options, _logger, claim, abort, _adapters).Execute();
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested || abort.IsCancellationRequested)
            {
                break;
            }
            catch (ObjectDisposedException)
            {
                break; // the queue was disposed under us: the host is shutting down
            }
            catch (Exception e)
            {
                // A queue call failed outside a batch (e.g. Redis unreachable); the next claim retries after a
                // backoff, so an outage does not turn into a busy loop of failing calls.
                WorkerLog.LoopError(_logger, e);
                failures++;
                var delay = TimeSpan.FromMilliseconds(Math.Min(100 * (1 << Math.Min(failures, 5)), 2000));
                token.WaitHandle.WaitOne(delay);
            }
        }
        _stopped.TrySetResult();
    }

    /// <summary>The next entry of a kind this worker claims, or null after a claim wait without work (see remarks).</summary>
    private Claim? NextClaim(CancellationToken token)
    {
        if (!_generate) return Wait(_queue.ClaimAsync(EntryKind.FineTune, _options.ConsumerId, _options.ClaimWait, token));
        var claim = Wait(_queue.ClaimAsync(EntryKind.Generate, _options.ConsumerId, _options.ClaimWait, token));
        if (claim is not null || !_fineTune || token.IsCancellationRequested) return claim;
        return Wait(_queue.ClaimAsync(EntryKind.FineTune, _options.ConsumerId, TimeSpan.Zero, token));
    }

    private static T Wait<T>(Task<T> task) => task.GetAwaiter().GetResult();
}
