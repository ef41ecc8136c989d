using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using GenArt.Jobs;
using GenArt.Jobs.Redis;
using GenArt.Redis;

namespace GenArt.Integration.Tests;

/// <summary>
/// Every YAML document under deploy/ parses, and the Kubernetes manifests agree with the code: the worker asks for a
/// GPU, KEDA watches the streams and group the queue really creates, Redis keeps an AOF.
/// </summary>
[NonParallelizable]
public sealed partial class DeploymentManifestTests
{
    private static string RepoRoot
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "GenArt.sln"))) return dir.FullName;
            throw new DirectoryNotFoundException("GenArt.sln not found above " + AppContext.BaseDirectory);
        }
    }

    private static string Kubernetes => Path.Combine(RepoRoot, "deploy", "kubernetes");

    /// <summary>Every document of every YAML file under deploy/, parsed by PyYAML and handed over as JSON.</summary>
    private static async Task<List<(string File, JsonElement Doc)>> LoadAllAsync()
    {
        const string Script = """
            import glob, json, os, sys, yaml
            out = []
            for path in sorted(glob.glob(os.path.join(sys.argv[1], "**", "*.y*ml"), recursive=True)):
                with open(path) as f:
                    for doc in yaml.safe_load_all(f):
                        if doc is not None:
                            out.append({"file": os.path.relpath(path, sys.argv[1]), "doc": doc})
            print(json.dumps(out))
            """;
        var info = new ProcessStartInfo("python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(Script);
        info.ArgumentList.Add(Path.Combine(RepoRoot, "deploy"));
        using var python = Process.Start(info)!;
        var stdout = python.StandardOutput.ReadToEndAsync();
        var stderr = python.StandardError.ReadToEndAsync();
        await python.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        Assert.That(python.ExitCode, Is.Zero, "a YAML file under deploy/ does not parse: " + await stderr);
        using var json = JsonDocument.Parse(await stdout);
        return json.RootElement.EnumerateArray().Select(e => (e.GetProperty("file").GetString()!, e.GetProperty("doc").Clone())).ToList();
    }

    private static JsonElement Single(List<(string File, JsonElement Doc)> docs, string kind, string? name = null) =>
        docs.Select(d => d.Doc).Single(d => d.GetProperty("kind").GetString() == kind
            && (name is null || d.GetProperty("metadata").GetProperty("name").GetString() == name));

    private static IEnumerable<JsonElement> Containers(JsonElement workload) =>
        workload.GetProperty("spec").GetProperty("template").GetProperty("spec").GetProperty("containers").EnumerateArray();

    private static List<string> Args(JsonElement container) => container.GetProperty("args").EnumerateArray().Select(a => a.GetString()!).ToList();

    [Test]
    public async Task TheKustomizationListsEveryManifest()
    {
        var docs = await LoadAllAsync();
        var kustomization = Single(docs, "Kustomization");
        var listed = kustomization.GetProperty("resources").EnumerateArray().Select(r => r.GetString()!).Order().ToList();
        var files = docs.Select(d => d.File).Where(f => f != "kubernetes/kustomization.yaml" && f.StartsWith("kubernetes/", StringComparison.Ordinal))
            .Select(f => f["kubernetes/".Length..]).Distinct().Order().ToList();
        Assert.That(listed, Is.EqualTo(files));
    }

    [Test]
    public async Task TheWorkerRequestsAGpuAndHasTimeForItsGracePeriod()
    {
        var docs = await LoadAllAsync();
        var worker = Single(docs, "Deployment", "genart-worker");
        var container = Containers(worker).Single();
        var resources = container.GetProperty("resources");
        Assert.That(resources.GetProperty("limits").GetProperty("nvidia.com/gpu").ToString(), Is.EqualTo("1"));
        var args = Args(container);
        Assert.That(args[0], Is.EqualTo("worker"));
        Assert.That(args[args.IndexOf("--device") + 1], Does.StartWith("cuda"));
        var grace = TimeSpan.FromSeconds(int.Parse(args[args.IndexOf("--grace-period") + 1].TrimEnd('s')));
        int podGrace = worker.GetProperty("spec").GetProperty("template").GetProperty("spec").GetProperty("terminationGracePeriodSeconds").GetInt32();
        Assert.That(TimeSpan.FromSeconds(podGrace), Is.GreaterThan(grace), "Kubernetes must not kill the worker before its own grace period ends");
    }

    [Test]
    public async Task RedisKeepsAnAppendOnlyFileOnAPersistentVolume()
    {
        var docs = await LoadAllAsync();
        var redis = Single(docs, "StatefulSet", "genart-redis");
        var args = Args(Containers(redis).Single());
        Assert.That(args[args.IndexOf("--appendonly") + 1], Is.EqualTo("yes"));
        Assert.That(args[args.IndexOf("--appendfsync") + 1], Is.EqualTo("everysec"));
        Assert.That(redis.GetProperty("spec").GetProperty("volumeClaimTemplates").GetArrayLength(), Is.EqualTo(1));
    }

    [Test]
    public async Task TheFrontEndIsReadyOnReadyzAndItsServiceExposesGrpcAndMetrics()
    {
        var docs = await LoadAllAsync();
        var frontend = Single(docs, "Deployment", "genart-frontend");
        var container = Containers(frontend).Single();
        var args = Args(container);
        Assert.That(args[0], Is.EqualTo("serve"));
        Assert.That(args, Does.Contain("--redis").And.Contain("--listen-any"));
        Assert.That(container.GetProperty("readinessProbe").GetProperty("httpGet").GetProperty("path").GetString(), Is.EqualTo("/readyz"));
        var service = Single(docs, "Service", "genart-frontend");
        var ports = service.GetProperty("spec").GetProperty("ports").EnumerateArray().Select(p => p.GetProperty("port").GetInt32()).ToList();
        Assert.That(ports, Is.EquivalentTo(new[] { int.Parse(args[args.IndexOf("--port") + 1]), int.Parse(args[args.IndexOf("--metrics-port") + 1]) }));
    }

    [Test, CancelAfter(120_000)]
    public async Task KedaScalesTheWorkersOnTheStreamsAndGroupTheQueueCreates()
    {
        var docs = await LoadAllAsync();
        var scaled = Single(docs, "ScaledObject");
        var spec = scaled.GetProperty("spec");
        Assert.That(spec.GetProperty("scaleTargetRef").GetProperty("name").GetString(), Is.EqualTo("genart-worker"));
        Assert.That(spec.GetProperty("minReplicaCount").GetInt32(), Is.Zero, "idle workers scale down to zero");
        var triggers = spec.GetProperty("triggers").EnumerateArray().ToList();
        Assert.That(triggers.Select(t => t.GetProperty("type").GetString()), Is.All.EqualTo("redis-streams"));
        var pending = triggers.Select(t => t.GetProperty("metadata")).Where(m => m.TryGetProperty("pendingEntriesCount", out _)).ToList();
        Assert.That(pending, Is.Not.Empty);

        // The names the manifests use, against the names docs/queue.md gives and the names the queue really creates.
        string prefix = KeyPrefixDefault();
        string[] streams = [$"{prefix}q:generate:interactive", $"{prefix}q:generate:batch"];
        string docsText = await File.ReadAllTextAsync(Path.Combine(RepoRoot, "docs", "queue.md"));
        Assert.That(docsText, Does.Contain("`P q:{kind}:{prio}`").And.Contain("consumer group `workers`"));
        Assert.That(docsText, Does.Match($@"default\s+`{Regex.Escape(prefix)}`"), "docs/queue.md gives the same default key prefix as the CLI");
        Assert.That(pending.Select(m => m.GetProperty("stream").GetString()), Is.EquivalentTo(streams));
        Assert.That(pending.Select(m => m.GetProperty("consumerGroup").GetString()), Is.All.EqualTo("workers"));
        Assert.That(triggers.Select(t => t.GetProperty("metadata").GetProperty("stream").GetString()), Is.All.AnyOf(streams));

        await using var cluster = new Cluster();
        await cluster.StartRedisAsync();
        await using (await RedisJobQueue.ConnectAsync(RedisOptions.Parse(cluster.RedisUri), new JobQueueOptions(), keyPrefix: prefix))
        {
            foreach (string stream in streams)
                Assert.That(await RedisCli(cluster.RedisPort, "XINFO", "GROUPS", stream), Does.Contain("workers"), stream);
        }
    }

    /// <summary>The default of <c>--key-prefix</c>, from <c>genart worker --help</c>.</summary>
    private static string KeyPrefixDefault()
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "genart.dll"));
        foreach (var a in new[] { "worker", "--help" }) info.ArgumentList.Add(a);
        using var help = Process.Start(info)!;
        string text = help.StandardOutput.ReadToEnd();
        help.WaitForExit();
        var m = PrefixDefault().Match(text);
        Assert.That(m.Success, Is.True, text);
        return m.Groups[1].Value;
    }

    private static async Task<string> RedisCli(int port, params string[] args)
    {
        var info = new ProcessStartInfo("redis-cli") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "-p", port.ToString() }.Concat(args)) info.ArgumentList.Add(a);
        using var cli = Process.Start(info)!;
        string output = await cli.StandardOutput.ReadToEndAsync();
        await cli.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        return output;
    }

    [GeneratedRegex(@"--key-prefix .*\[default: (\S+)\]")]
    private static partial Regex PrefixDefault();
}
