using System.Collections.Concurrent;
using GenArt.Diffusion.Adapters;
using StableDiffusionModel = GenArt.Diffusion.Pipelines.StableDiffusionModel;
using GenArt.Jobs;
using GenArt.Torch;
using GenArt.Torch.SafeTensors;
using GenArt.Worker;

namespace GenArt.Server.Tests;

/// <summary>The worker resolves each sample's adapters per tenant through the registry, loads them into the cache,
/// and fails only the jobs whose adapters are missing, deleted or unusable.</summary>
public sealed class WorkerAdapterTests
{
    private string data = null!;

    [SetUp]
    public void Setup()
    {
        data = Path.Combine(Path.GetTempPath(), "genart-worker-adapters-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.Combine(data, "adapters"));
    }

    [TearDown]
    public void Cleanup() => Directory.Delete(data, true);

    [Test]
    public async Task EachJobGetsItsTenantsAdaptersAndBadAdaptersFailOnlyTheirJob()
    {
        var store = new MemoryAdapterStore();
        var shapes = BaseModelShapes.FromModelFolder(TestServer.ModelPath);
        await store.TryAddAsync(Record("acme", "brand", WriteAdapter(shapes, "aaaa", seed: 5)));
        await store.TryAddAsync(Record("acme", "deleted", WriteAdapter(shapes, "dddd", seed: 6)));
        File.Delete(Path.Combine(data, "adapters", "dddd.safetensors"));
        string corrupt = Path.Combine(data, "adapters", "cccc.safetensors");
        File.WriteAllBytes(corrupt, [0x80, 0x02, 0, 0, 0, 0, 0, 0, 0, 0]);
        await store.TryAddAsync(Record("acme", "pickled", "cccc"));

        await using var queue = new InProcessJobQueue();
        int loads = 0;
        using var models = new ModelCache(new Dictionary<string, string> { [TestServer.ModelName] = TestServer.ModelPath },
            p => { Interlocked.Increment(ref loads); return StableDiffusionModel.Load(p); });
        using var cache = new LoraCache(256L << 20);
        await using var worker = new GenerationWorker(queue, models, new WorkerOptions { ClaimWait = TimeSpan.FromSeconds(1) },
            adapters: new WorkerAdapters(store, data, cache));
        worker.Start();
        await worker.Ready;

        JobSpec withBrand = Job("acme", new AdapterRef("brand", 1.0)), plain = Job("acme"),
            missing = Job("acme", new AdapterRef("nope", 1.0)), deleted = Job("acme", new AdapterRef("deleted", 1.0)),
            pickled = Job("acme", new AdapterRef("pickled", 1.0)), otherTenant = Job("globex", new AdapterRef("brand", 1.0));
        JobSpec[] jobs = [withBrand, plain, missing, deleted, pickled, otherTenant];
        await queue.EnqueueAsync(new QueueEntry(EntryKind.Generate, JobPriority.Interactive,
            new BatchSpec(new BatchKey(TestServer.ModelName, 64, 64, 2, "ddim", GenerationMode.TextToImage), 1, null, 0), jobs));

        var events = new Dictionary<JobSpec, List<JobEventBody>>();
        foreach (var job in jobs) events[job] = await Events(queue, job);

        Assert.That(events[withBrand].Last(), Is.TypeOf<JobCompleted>());
        Assert.That(events[plain].Last(), Is.TypeOf<JobCompleted>());
        var branded = events[withBrand].OfType<JobImage>().Single().Png;
        var unbranded = events[plain].OfType<JobImage>().Single().Png;
        Assert.That(branded, Is.Not.EqualTo(unbranded), "same prompt and seed: only the adapter differs");
        var record = ImageOutput.FromJson(events[withBrand].OfType<JobImage>().Single().MetadataJson)!;
        Assert.That(record.Adapters, Is.EqualTo(new[] { new AdapterUseRecord("brand", "aaaa", 1.0) }));
        Assert.That(ImageOutput.FromJson(events[plain].OfType<JobImage>().Single().MetadataJson)!.Adapters, Is.Null);

        AssertFailed(events[missing], JobErrorCode.NotFound, "adapter 'nope' not found");
        AssertFailed(events[deleted], JobErrorCode.NotFound, "adapter 'deleted' not found");
        AssertFailed(events[pickled], JobErrorCode.InvalidArgument, "pickle files are not accepted");
        AssertFailed(events[otherTenant], JobErrorCode.NotFound, "adapter 'brand' not found");
        Assert.That(cache.Loads, Is.EqualTo(1), "one good file was read");

        // a second batch with the adapter reuses the cache and the loaded model
        var again = Job("acme", new AdapterRef("brand", 1.0));
        await queue.EnqueueAsync(new QueueEntry(EntryKind.Generate, JobPriority.Interactive,
            new BatchSpec(new BatchKey(TestServer.ModelName, 64, 64, 2, "ddim", GenerationMode.TextToImage), 1, null, 0), [again]));
        var second = await Events(queue, again);
        Assert.That(second.OfType<JobImage>().Single().Png, Is.EqualTo(branded), "the same request alone gives the same PNG");
        Assert.That(cache.Loads, Is.EqualTo(1));
        Assert.That(loads, Is.EqualTo(1), "adapters never reload the base model");
    }

    [Test]
    public async Task WithoutARegistryASampleThatNamesAnAdapterFailsItsJob()
    {
        await using var queue = new InProcessJobQueue();
        using var models = new ModelCache(new Dictionary<string, string> { [TestServer.ModelName] = TestServer.ModelPath });
        await using var worker = new GenerationWorker(queue, models, new WorkerOptions { ClaimWait = TimeSpan.FromSeconds(1) });
        worker.Start();
        await worker.Ready;
        JobSpec named = Job("acme", new AdapterRef("brand", 1.0)), plain = Job("acme");
        await queue.EnqueueAsync(new QueueEntry(EntryKind.Generate, JobPriority.Interactive,
            new BatchSpec(new BatchKey(TestServer.ModelName, 64, 64, 2, "ddim", GenerationMode.TextToImage), 1, null, 0), [named, plain]));
        AssertFailed(await Events(queue, named), JobErrorCode.NotFound, "adapter 'brand' not found");
        Assert.That((await Events(queue, plain)).Last(), Is.TypeOf<JobCompleted>());
    }

    private static void AssertFailed(List<JobEventBody> events, JobErrorCode code, string text)
    {
        var failed = events.OfType<JobFailed>().Single();
        Assert.That(failed.Code, Is.EqualTo(code));
        Assert.That(failed.Message, Does.Contain(text));
        Assert.That(events.OfType<JobImage>(), Is.Empty);
    }

    private static async Task<List<JobEventBody>> Events(InProcessJobQueue queue, JobSpec job)
    {
        var events = new List<JobEventBody>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await foreach (var e in queue.WatchAsync(job.Id, 0, timeout.Token)) events.Add(e.Body);
        return events;
    }

    private static JobSpec Job(string tenant, params AdapterRef[] adapters) => new(JobId.New(), tenant, JobPriority.Interactive, null, null,
        DateTimeOffset.UtcNow, [new SampleSpec("a shape", "", 3, 5.0, adapters, 0)]);

    private static AdapterRecord Record(string tenant, string name, string sha) =>
        new(tenant, name, sha, 0, "kohya", TestServer.ModelName, 4, 4, 0, DateTimeOffset.UtcNow, "");

    /// <summary>A kohya file with random weights for every attention layer of the UNet, stored under its "sha".</summary>
    private string WriteAdapter(BaseModelShapes shapes, string sha, ulong seed)
    {
        using var generator = new Generator(seed);
        var tensors = new Dictionary<string, Tensor>();
        foreach (var (module, shape) in shapes.Unet.Where(p => p.Key.Contains(".attentions.", StringComparison.Ordinal) && p.Value.Length == 2))
        {
            string name = "lora_unet_" + module.Replace('.', '_');
            tensors[name + ".lora_down.weight"] = torch.randn([4, shape[1]], generator).mul_(1 / Math.Sqrt(shape[1]));
            tensors[name + ".lora_up.weight"] = torch.randn([shape[0], 4], generator).mul_(0.5);
        }
        SafeTensorsWriter.Save(Path.Combine(data, "adapters", sha + ".safetensors"), tensors);
        foreach (var t in tensors.Values) t.Dispose();
        return sha;
    }

    /// <summary>The registry's contract over a dictionary, per tenant.</summary>
    private sealed class MemoryAdapterStore : IAdapterStore
    {
        private readonly ConcurrentDictionary<(string, string), AdapterRecord> records = new();

        public Task<bool> TryAddAsync(AdapterRecord record, CancellationToken cancellationToken = default) =>
            Task.FromResult(records.TryAdd((record.Tenant, record.Name), record));

        public Task<AdapterRecord?> GetAsync(string tenant, string name, CancellationToken cancellationToken = default) =>
            Task.FromResult(records.TryGetValue((tenant, name), out var r) ? r : null);

        public Task<IReadOnlyList<AdapterRecord>> ListAsync(string tenant, CancellationToken cancellationToken = default) =>
            Task.FromResult<IReadOnlyList<AdapterRecord>>(records.Values.Where(r => r.Tenant == tenant).OrderBy(r => r.Name, StringComparer.Ordinal).ToList());

        public Task<bool> DeleteAsync(string tenant, string name, CancellationToken cancellationToken = default) =>
            Task.FromResult(records.TryRemove((tenant, name), out _));

        public Task<bool> IsReferencedAsync(string sha256, CancellationToken cancellationToken = default) =>
            Task.FromResult(records.Values.Any(r => r.Sha256 == sha256));
    }
}
