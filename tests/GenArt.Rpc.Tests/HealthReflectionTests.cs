using System.Text.Json;
using GenArt.Api.V1;
using GenArt.Rpc.Client;
using GenArt.Rpc.Services;
using GenArt.Rpc.Tests.Infrastructure;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Google.Protobuf.WellKnownTypes;
using Grpc.Health.V1;
using Grpc.Reflection.V1;
using Microsoft.Extensions.DependencyInjection;
using ServiceDescriptor = Google.Protobuf.Reflection.ServiceDescriptor;

namespace GenArt.Rpc.Tests;

/// <summary>grpc.health.v1 and server reflection, with our client and with a grpcurl-style grpc-js client.</summary>
[TestFixture]
[NonParallelizable]
public sealed class HealthReflectionTests
{
    private static readonly RpcMethod<HealthCheckRequest, HealthCheckResponse> Check =
        RpcMethod.Unary<HealthCheckRequest, HealthCheckResponse>("grpc.health.v1.Health", "Check");
    private static readonly RpcMethod<HealthCheckRequest, HealthCheckResponse> Watch =
        RpcMethod.ServerStreaming<HealthCheckRequest, HealthCheckResponse>("grpc.health.v1.Health", "Watch");

    private TestServer _server = null!;
    private RpcChannel _channel = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _server = await TestServer.StartAsync(map: app =>
        {
            // genart.v1 services with stub handlers, to show the generated API messages served and reflected.
            var models = ModelsReflection.Descriptor.FindTypeByName<ServiceDescriptor>("Models");
            app.MapGrpcService(models, b => b.Unary<ListModelsRequest, ListModelsResponse>("ListModels", (_, _) =>
                Task.FromResult(new ListModelsResponse { Models = { new Model { Name = "sd15-test", Family = "sd15", DefaultSteps = 20 } } })));
            var generation = GenerationReflection.Descriptor.FindTypeByName<ServiceDescriptor>("Generation");
            app.MapGrpcService(generation, b => b
                .Unary<GetJobRequest, GetJobResponse>("GetJob", (req, _) => Task.FromResult(new GetJobResponse
                {
                    Job = new Job
                    {
                        JobId = req.JobId, State = JobState.Succeeded,
                        CreatedAt = Timestamp.FromDateTime(new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc)),
                    },
                }))
                .ServerStreaming<GenerateRequest, JobEvent>("Generate", async (req, stream, ctx) =>
                {
                    await stream.WriteAsync(new JobEvent { JobId = "j1", Sequence = 1, Accepted = new Accepted { QueuePosition = 0 } });
                    for (uint i = 1; i <= req.Steps; i++)
                        await stream.WriteAsync(new JobEvent { JobId = "j1", Sequence = 1 + i, Progress = new Progress { Step = i, Total = req.Steps } });
                    await stream.WriteAsync(new JobEvent
                    {
                        JobId = "j1", Sequence = 2 + req.Steps,
                        Image = new Image { Png = ByteString.CopyFrom(1, 2, 3), Seed = req.HasSeed ? req.Seed : 7, Metadata = new ImageMetadata { Prompt = req.Prompt } },
                    });
                }));
        });
        _channel = _server.CreateChannel();
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        _channel.Dispose();
        await _server.DisposeAsync();
    }

    [Test]
    public async Task HealthCheck()
    {
        var overall = await _channel.UnaryAsync(Check, new HealthCheckRequest());
        Assert.That(overall.Status, Is.EqualTo(HealthCheckResponse.Types.ServingStatus.Serving));
        var ex = Assert.ThrowsAsync<RpcException>(async () => await _channel.UnaryAsync(Check, new HealthCheckRequest { Service = "nope" }))!;
        Assert.That(ex.StatusCode, Is.EqualTo(StatusCode.NotFound));
    }

    [Test]
    public async Task HealthWatch_SeesChanges()
    {
        var health = _server.App.Services.GetRequiredService<HealthService>();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        using var call = _channel.ServerStreaming(Watch, new HealthCheckRequest { Service = "genart.v1.Generation" },
            new CallOptions { CancellationToken = cts.Token });
        Assert.That(await call.ResponseStream.MoveNext(), Is.True);
        Assert.That(call.ResponseStream.Current.Status, Is.EqualTo(HealthCheckResponse.Types.ServingStatus.ServiceUnknown));
        health.SetStatus("genart.v1.Generation", HealthCheckResponse.Types.ServingStatus.Serving);
        Assert.That(await call.ResponseStream.MoveNext(), Is.True);
        Assert.That(call.ResponseStream.Current.Status, Is.EqualTo(HealthCheckResponse.Types.ServingStatus.Serving));
        health.SetStatus("genart.v1.Generation", HealthCheckResponse.Types.ServingStatus.NotServing);
        Assert.That(await call.ResponseStream.MoveNext(), Is.True);
        Assert.That(call.ResponseStream.Current.Status, Is.EqualTo(HealthCheckResponse.Types.ServingStatus.NotServing));
        var check = await _channel.UnaryAsync(Check, new HealthCheckRequest { Service = "genart.v1.Generation" });
        Assert.That(check.Status, Is.EqualTo(HealthCheckResponse.Types.ServingStatus.NotServing));
    }

    [Test]
    public async Task HealthWatch_EndsWithNotServing_WhenHostStops()
    {
        var server = await TestServer.StartAsync();
        using var channel = server.CreateChannel();
        using var call = channel.ServerStreaming(Watch, new HealthCheckRequest(), CallOptions.WithTimeout(TimeSpan.FromSeconds(20)));
        Assert.That(await call.ResponseStream.MoveNext(), Is.True);
        Assert.That(call.ResponseStream.Current.Status, Is.EqualTo(HealthCheckResponse.Types.ServingStatus.Serving));
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var stop = server.DisposeAsync().AsTask();
        Assert.That(await call.ResponseStream.MoveNext(), Is.True);
        Assert.That(call.ResponseStream.Current.Status, Is.EqualTo(HealthCheckResponse.Types.ServingStatus.NotServing));
        Assert.That(await call.ResponseStream.MoveNext(), Is.False);
        await stop.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.That(sw.Elapsed, Is.LessThan(TimeSpan.FromSeconds(5)), "an open Watch must not hold up shutdown");
    }

    [TestCase("grpc.reflection.v1.ServerReflection")]
    [TestCase("grpc.reflection.v1alpha.ServerReflection")]
    public async Task Reflection_OwnClient(string service)
    {
        var method = RpcMethod.DuplexStreaming<ServerReflectionRequest, ServerReflectionResponse>(service, "ServerReflectionInfo");
        using var call = _channel.DuplexStreaming(method, CallOptions.WithTimeout(TimeSpan.FromSeconds(10)));
        async Task<ServerReflectionResponse> Ask(ServerReflectionRequest r)
        {
            await call.RequestStream.WriteAsync(r);
            Assert.That(await call.ResponseStream.MoveNext(), Is.True);
            return call.ResponseStream.Current;
        }

        var list = await Ask(new ServerReflectionRequest { ListServices = "" });
        var names = list.ListServicesResponse.Service.Select(s => s.Name).ToArray();
        Assert.That(names, Is.SupersetOf(new[]
        {
            "grpc.testing.TestService", "grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection",
            "grpc.reflection.v1alpha.ServerReflection", "genart.v1.Models", "genart.v1.Generation", "genart.test.Probe",
        }.Where(n => n != "genart.test.Probe")));

        var bySymbol = await Ask(new ServerReflectionRequest { FileContainingSymbol = "grpc.testing.TestService" });
        var files = bySymbol.FileDescriptorResponse.FileDescriptorProto.Select(b => FileDescriptorProto.Parser.ParseFrom(b).Name).ToArray();
        Assert.That(files, Is.EquivalentTo(new[] { "grpc/testing/test.proto", "grpc/testing/empty.proto", "grpc/testing/messages.proto" }));

        var byMethod = await Ask(new ServerReflectionRequest { FileContainingSymbol = "genart.v1.Generation.GetJob" });
        var genFiles = byMethod.FileDescriptorResponse.FileDescriptorProto.Select(b => FileDescriptorProto.Parser.ParseFrom(b).Name).ToArray();
        Assert.That(genFiles, Is.EquivalentTo(new[] { "genart/v1/generation.proto", "genart/v1/common.proto", "google/protobuf/timestamp.proto" }));

        var byType = await Ask(new ServerReflectionRequest { FileContainingSymbol = "grpc.testing.SimpleRequest" });
        Assert.That(FileDescriptorProto.Parser.ParseFrom(byType.FileDescriptorResponse.FileDescriptorProto[0]).Name, Is.EqualTo("grpc/testing/messages.proto"));

        var byName = await Ask(new ServerReflectionRequest { FileByFilename = "grpc/health/v1/health.proto" });
        Assert.That(FileDescriptorProto.Parser.ParseFrom(byName.FileDescriptorResponse.FileDescriptorProto[0]).Name, Is.EqualTo("grpc/health/v1/health.proto"));

        var missing = await Ask(new ServerReflectionRequest { FileContainingSymbol = "no.such.Thing" });
        Assert.That(missing.ErrorResponse.ErrorCode, Is.EqualTo((int)StatusCode.NotFound));
        var ext = await Ask(new ServerReflectionRequest { AllExtensionNumbersOfType = "grpc.testing.SimpleRequest" });
        Assert.That(ext.AllExtensionNumbersResponse.BaseTypeName, Is.EqualTo("grpc.testing.SimpleRequest"));

        await call.RequestStream.CompleteAsync();
        Assert.That(await call.ResponseStream.MoveNext(), Is.False);
    }

    [Test]
    public async Task GenArtApi_ServerStreamingEvents()
    {
        var generate = RpcMethod.ServerStreaming<GenerateRequest, JobEvent>("genart.v1.Generation", "Generate");
        using var call = _channel.ServerStreaming(generate, new GenerateRequest { Prompt = "a cat", Steps = 3, Seed = 42 });
        var events = new List<JobEvent>();
        await foreach (var e in call.ResponseStream.ReadAllAsync()) events.Add(e);
        Assert.That(events.Select(e => e.EventCase), Is.EqualTo(new[]
        {
            JobEvent.EventOneofCase.Accepted, JobEvent.EventOneofCase.Progress, JobEvent.EventOneofCase.Progress,
            JobEvent.EventOneofCase.Progress, JobEvent.EventOneofCase.Image,
        }));
        Assert.That(events.Select(e => e.Sequence), Is.EqualTo(new ulong[] { 1, 2, 3, 4, 5 }));
        Assert.That(events[^1].Image.Seed, Is.EqualTo(42UL));
        Assert.That(events[^1].Image.Metadata.Prompt, Is.EqualTo("a cat"));
    }

    [Test]
    public void GenArtApi_SeedHasExplicitPresence()
    {
        var r = new GenerateRequest();
        Assert.That(r.HasSeed, Is.False);
        r.Seed = 0;
        Assert.That(r.HasSeed, Is.True);
        var back = GenerateRequest.Parser.ParseFrom(r.ToByteArray());
        Assert.That(back.HasSeed, Is.True);
        Assert.That(back.Seed, Is.EqualTo(0UL));
        Assert.That(new Progress().HasPreviewPng, Is.False);
    }

    private async Task<JsonElement> RunReflectionClient(params string[] extra)
    {
        NodeRunner.RequireNodeModules();
        var args = new List<string> { $"--server_port={_server.H2cPort}" };
        args.AddRange(extra);
        var r = await NodeRunner.RunAsync(Path.Combine(NodeRunner.InteropDir, "reflection_client.js"), args, TimeSpan.FromSeconds(60));
        Assert.That(r.Verdict?.GetProperty("ok").GetBoolean() ?? false, Is.True, $"exit {r.ExitCode}\n{r.Stdout}\n{r.Stderr}");
        return r.Verdict!.Value;
    }

    [TestCase("v1")]
    [TestCase("v1alpha")]
    public async Task Reflection_GrpcJs_ListsAndCallsWithoutProtoFiles(string version)
    {
        var v = await RunReflectionClient($"--version={version}", "--call=grpc.testing.TestService/UnaryCall",
            "--request={\"response_size\":7,\"payload\":{\"body\":\"AAAA\"}}");
        var services = v.GetProperty("services").EnumerateArray().Select(e => e.GetString()).ToArray();
        Assert.That(services, Does.Contain("grpc.testing.TestService"));
        Assert.That(services, Does.Contain("genart.v1.Models"));
        Assert.That(v.GetProperty("response").GetProperty("payload").GetProperty("body").GetProperty("length").GetInt32(), Is.EqualTo(7));
    }

    [Test]
    public async Task Reflection_GrpcJs_CallsGenArtServices()
    {
        var models = await RunReflectionClient("--call=genart.v1.Models/ListModels", "--request={}");
        Assert.That(models.GetProperty("response").GetProperty("models")[0].GetProperty("name").GetString(), Is.EqualTo("sd15-test"));
        var job = await RunReflectionClient("--call=genart.v1.Generation/GetJob", "--request={\"job_id\":\"abc\"}");
        var j = job.GetProperty("response").GetProperty("job");
        Assert.That(j.GetProperty("job_id").GetString(), Is.EqualTo("abc"));
        Assert.That(j.GetProperty("state").GetString(), Is.EqualTo("JOB_STATE_SUCCEEDED"));
        Assert.That(j.GetProperty("created_at").GetProperty("seconds").GetString(), Is.EqualTo("1767323045"));
    }
}
