using GenArt.Api.V1;
using GenArt.Rpc;
using Google.Protobuf;

namespace GenArt.Server.Tests;

/// <summary>Each bad field is refused with its own status and a message naming it.</summary>
[NonParallelizable]
public sealed class ValidationTests
{
    private TestServer _server = null!;

    [OneTimeSetUp]
    public async Task Start() => _server = await TestServer.StartAsync();

    [OneTimeTearDown]
    public async Task Stop() => await _server.DisposeAsync();

    private static IEnumerable<TestCaseData> BadRequests()
    {
        static TestCaseData Case(string field, Action<GenerateRequest> change, StatusCode code = StatusCode.InvalidArgument)
        {
            var r = TestServer.Request();
            change(r);
            return new TestCaseData(r, code, field).SetName($"Refuses_{field}_{code}");
        }
        yield return Case("prompt", r => r.Prompt = "");
        yield return Case("prompt", r => r.Prompt = new string('a', 2001));
        yield return Case("negative_prompt", r => r.NegativePrompt = new string('a', 2001));
        yield return Case("width", r => r.Width = 130);
        yield return Case("height", r => r.Height = 4096);
        yield return Case("steps", r => r.Steps = 201);
        yield return Case("scheduler", r => r.Scheduler = "magic");
        yield return Case("guidance_scale", r => r.GuidanceScale = float.NaN);
        yield return Case("guidance_scale", r => r.GuidanceScale = -1);
        yield return Case("num_images", r => r.NumImages = 9);
        yield return Case("seed", r => { r.Seed = ulong.MaxValue; r.NumImages = 2; });
        yield return Case("strength", r => { r.Mode = GenerationMode.Img2Img; r.Strength = 1.5f; r.InitImage = ByteString.CopyFrom(1, 2, 3); });
        yield return Case("strength", r => r.Strength = 0.5f);
        yield return Case("init_image", r => { r.Mode = GenerationMode.Img2Img; r.Strength = 0.5f; r.InitImage = ByteString.CopyFrom(1, 2, 3); });
        yield return Case("init_image", r => r.InitImage = ByteString.CopyFrom(1, 2, 3));
        yield return Case("idempotency_key", r => r.IdempotencyKey = new string('k', 129));
        yield return Case("model", r => r.Model = "no-such-model", StatusCode.NotFound);
        yield return Case("adapters[0].name", r => r.Adapters.Add(new AdapterRef { Name = "other-brand", Scale = 1 }), StatusCode.NotFound);
        yield return Case("adapters[0].name", r => r.Adapters.Add(new AdapterRef { Name = "../keys", Scale = 1 }));
        yield return Case("adapters[1].name", r => r.Adapters.Add([new AdapterRef { Name = "a" }, new AdapterRef { Name = ".hidden" }]));
        yield return Case("adapters[1].name", r => r.Adapters.Add([new AdapterRef { Name = "twice" }, new AdapterRef { Name = "twice" }]));
        yield return Case("adapters[1].scale", r => r.Adapters.Add([new AdapterRef { Name = "a" }, new AdapterRef { Name = "b", Scale = 4.5f }]));
        yield return Case("adapters[0].scale", r => r.Adapters.Add(new AdapterRef { Name = "a", Scale = -5 }));
        yield return Case("adapters[0].scale", r => r.Adapters.Add(new AdapterRef { Name = "a", Scale = float.NaN }));
        yield return Case("adapters[0].scale", r => r.Adapters.Add(new AdapterRef { Name = "a", Scale = float.PositiveInfinity }));
        yield return Case("adapters", r => r.Adapters.Add(Enumerable.Range(0, 9).Select(i => new AdapterRef { Name = $"a{i}" })));
    }

    [TestCaseSource(nameof(BadRequests))]
    public async Task RefusesWithAStatusNamingTheField(GenerateRequest request, StatusCode code, string field)
    {
        var (events, status) = await _server.GenerateAllAsync(request);
        Assert.That(status.StatusCode, Is.EqualTo(code), status.Detail);
        Assert.That(status.Detail, Does.StartWith(field + ":"));
        Assert.That(events, Is.Empty, "nothing was queued");
    }

    [Test]
    public async Task AMalformedJobIdIsInvalidArgument()
    {
        var ex = Assert.ThrowsAsync<RpcException>(async () =>
            await _server.Client.Channel.UnaryAsync(Cli.RemoteClient.Get, new GetJobRequest { JobId = "nope" }, _server.Options()));
        Assert.That(ex!.StatusCode, Is.EqualTo(StatusCode.InvalidArgument));
        Assert.That(ex.Status.Detail, Does.StartWith("job_id:"));
        var depth = await _server.Server.Queue.QueueDepthAsync();
        Assert.That(depth.QueuedJobs, Is.Zero);
    }
}
