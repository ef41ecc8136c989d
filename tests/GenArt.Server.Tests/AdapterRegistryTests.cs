using GenArt.Api.V1;
using GenArt.Rpc;

namespace GenArt.Server.Tests;

/// <summary>Adapters.Upload, List, Get and Delete for one tenant, end to end through gRPC.</summary>
[NonParallelizable]
public sealed class AdapterRegistryTests
{
    private TestServer _server = null!;

    [OneTimeSetUp]
    public async Task Start() => _server = await TestServer.StartAsync();

    [OneTimeTearDown]
    public async Task Stop() => await _server.DisposeAsync();

    [Test]
    public async Task AnUploadIsValidatedStoredByContentAndRegistered()
    {
        byte[] bytes = AdapterFiles.ValidKohya(rank: 4, seed: 11);
        var adapter = await _server.UploadAsync("ink-style", bytes, change: m => m.Description = "brush ink");

        string sha = AdapterTestKit.Sha256(bytes);
        Assert.That(adapter.Name, Is.EqualTo("ink-style"));
        Assert.That(adapter.Sha256, Is.EqualTo(sha));
        Assert.That(adapter.SizeBytes, Is.EqualTo((ulong)bytes.Length));
        Assert.That(adapter.Layout, Is.EqualTo("kohya"));
        Assert.That(adapter.Rank, Is.EqualTo(4));
        Assert.That(adapter.Alpha, Is.EqualTo(4f));
        Assert.That(adapter.TargetCount, Is.EqualTo(4));
        Assert.That(adapter.BaseModel, Is.EqualTo(TestServer.ModelName));
        Assert.That(adapter.Description, Is.EqualTo("brush ink"));
        Assert.That(adapter.Source, Is.EqualTo(AdapterSource.Uploaded));

        string stored = Path.Combine(_server.DataDir, "adapters", sha + ".safetensors");
        Assert.That(File.ReadAllBytes(stored), Is.EqualTo(bytes));
        Assert.That(await _server.GetAsync("ink-style"), Is.EqualTo(adapter));
        var record = await _server.Store().GetAsync("acme", "ink-style");
        Assert.That(record!.Sha256, Is.EqualTo(sha));
        Assert.That(_server.StoredFiles().Where(f => f.StartsWith(".incoming", StringComparison.Ordinal)), Is.Empty, "no temporary file remains");
        await _server.DeleteAsync("ink-style");
    }

    [Test]
    public async Task TheGoldenKohyaAndDiffusersFilesAreAccepted()
    {
        var kohya = await _server.UploadAsync("golden-kohya", AdapterFiles.GoldenKohya);
        var diffusers = await _server.UploadAsync("golden-diffusers", AdapterFiles.GoldenDiffusers);
        Assert.That(kohya.Layout, Is.EqualTo("kohya"));
        Assert.That(diffusers.Layout, Is.EqualTo("diffusers"));
        Assert.That(kohya.TargetCount, Is.GreaterThan(50));
        await _server.DeleteAsync("golden-kohya");
        await _server.DeleteAsync("golden-diffusers");
    }

    [Test]
    public async Task ListIsSortedByNameAndFiltersByBaseModel()
    {
        foreach (string name in new[] { "zz-last", "aa-first", "mm-middle" })
            await _server.UploadAsync(name, AdapterFiles.ValidKohya(seed: name.Length + name[0]));
        var names = (await _server.ListAsync()).Select(a => a.Name).ToList();
        Assert.That(names, Is.EqualTo(new[] { "aa-first", "mm-middle", "zz-last" }));
        Assert.That(await _server.ListAsync(baseModel: TestServer.ModelName), Has.Count.EqualTo(3));
        Assert.That(await _server.ListAsync(baseModel: "another-model"), Is.Empty);
        foreach (string name in names) await _server.DeleteAsync(name);
        Assert.That(await _server.ListAsync(), Is.Empty);
    }

    [Test]
    public async Task TheSameBytesAreStoredOnceAndRemovedWithTheirLastRecord()
    {
        byte[] bytes = AdapterFiles.ValidKohya(seed: 21);
        string file = AdapterTestKit.Sha256(bytes) + ".safetensors";
        var before = _server.AdapterFileNames();
        await _server.UploadAsync("twin-a", bytes);
        await _server.UploadAsync("twin-b", bytes);
        await _server.UploadAsync("twin-c", bytes, key: _server.OtherTenantKey);
        Assert.That(_server.AdapterFileNames().Except(before), Is.EqualTo(new[] { file }), "one file for three records");

        await _server.DeleteAsync("twin-a");
        await _server.DeleteAsync("twin-c", key: _server.OtherTenantKey);
        Assert.That(_server.AdapterFileNames(), Does.Contain(file), "twin-b still names it");
        await _server.DeleteAsync("twin-b");
        Assert.That(_server.AdapterFileNames(), Does.Not.Contain(file));
        Assert.That(_server.AdapterFileNames(), Is.EqualTo(before));
    }

    [Test]
    public async Task ADuplicateNameIsAlreadyExistsAndKeepsTheFirst()
    {
        byte[] first = AdapterFiles.ValidKohya(seed: 31), second = AdapterFiles.ValidKohya(seed: 32);
        await _server.UploadAsync("dup", first);
        var files = _server.StoredFiles();
        var e = await _server.RefusedUploadAsync("dup", second);
        Assert.That(e.StatusCode, Is.EqualTo(StatusCode.AlreadyExists), e.Status.Detail);
        Assert.That(e.Status.Detail, Does.StartWith("name:").And.Contain("'dup'"));
        Assert.That((await _server.GetAsync("dup")).Sha256, Is.EqualTo(AdapterTestKit.Sha256(first)));
        Assert.That(_server.StoredFiles(), Is.EqualTo(files), "the second file was not kept");
        await _server.DeleteAsync("dup");
    }

    [Test]
    public async Task GetAndDeleteOfAMissingNameAreNotFound()
    {
        var get = Assert.ThrowsAsync<RpcException>(() => _server.GetAsync("nothing-here"));
        Assert.That(get!.StatusCode, Is.EqualTo(StatusCode.NotFound));
        Assert.That(get.Status.Detail, Is.EqualTo("name: adapter 'nothing-here' was not found"));
        var delete = Assert.ThrowsAsync<RpcException>(() => _server.DeleteAsync("nothing-here"));
        Assert.That(delete!.StatusCode, Is.EqualTo(StatusCode.NotFound));
        var invalid = Assert.ThrowsAsync<RpcException>(() => _server.GetAsync("../keys.json"));
        Assert.That(invalid!.StatusCode, Is.EqualTo(StatusCode.InvalidArgument));
        Assert.That(invalid.Status.Detail, Does.StartWith("name:"));
    }

    [Test]
    public async Task AdapterCallsNeedAKey()
    {
        var e = Assert.ThrowsAsync<RpcException>(() => _server.ListAsync(key: "ga_nope_nope"));
        Assert.That(e!.StatusCode, Is.EqualTo(StatusCode.Unauthenticated));
        var upload = await _server.RefusedUploadAsync("anonymous", AdapterFiles.ValidKohya(), key: "ga_nope_nope");
        Assert.That(upload.StatusCode, Is.EqualTo(StatusCode.Unauthenticated));
        Assert.That(await _server.Store().GetAsync("acme", "anonymous"), Is.Null);
    }

    [Test]
    public async Task TheDeclaredSizeAndHashAreChecked()
    {
        byte[] bytes = AdapterFiles.ValidKohya(seed: 41);
        var files = _server.StoredFiles();
        var size = await _server.RefusedUploadAsync("declared", bytes, change: m => m.SizeBytes = (ulong)bytes.Length + 1);
        Assert.That(size.StatusCode, Is.EqualTo(StatusCode.InvalidArgument));
        Assert.That(size.Status.Detail, Does.StartWith("size_bytes:"));
        var sha = await _server.RefusedUploadAsync("declared", bytes, change: m => m.Sha256 = new string('0', 64));
        Assert.That(sha.StatusCode, Is.EqualTo(StatusCode.InvalidArgument));
        Assert.That(sha.Status.Detail, Does.StartWith("sha256:"));
        var ok = await _server.UploadAsync("declared", bytes, change: m => { m.SizeBytes = (ulong)bytes.Length; m.Sha256 = AdapterTestKit.Sha256(bytes).ToUpperInvariant(); });
        Assert.That(ok.Sha256, Is.EqualTo(AdapterTestKit.Sha256(bytes)));
        await _server.DeleteAsync("declared");
        Assert.That(_server.StoredFiles(), Is.EqualTo(files));
    }

    [Test]
    public async Task RegistrationsSurviveARestart()
    {
        string data = Directory.CreateTempSubdirectory("genart-restart-").FullName;
        try
        {
            byte[] bytes = AdapterFiles.ValidKohya(seed: 51);
            Adapter uploaded;
            await using (var first = await TestServer.StartAsync(dataDirectory: data))
                uploaded = await first.UploadAsync("durable", bytes, change: m => m.Description = "kept");

            await using var second = await TestServer.StartAsync(dataDirectory: data);
            Assert.That(await second.GetAsync("durable"), Is.EqualTo(uploaded));
            var r = TestServer.Request(steps: 2);
            r.Adapters.Add(new AdapterRef { Name = "durable", Scale = 1 });
            var (_, status) = await second.GenerateAllAsync(r);
            Assert.That(status.StatusCode, Is.EqualTo(StatusCode.OK), status.Detail);
            var other = Assert.ThrowsAsync<RpcException>(() => second.GetAsync("durable", key: second.OtherTenantKey));
            Assert.That(other!.StatusCode, Is.EqualTo(StatusCode.NotFound), "still acme's only");
        }
        finally
        {
            Directory.Delete(data, true);
        }
    }
}

/// <summary>The content-addressed files on their own: sweeping idle uploads, and deletes racing uploads of the same bytes.</summary>
[NonParallelizable]
public sealed class AdapterContentTests
{
    [Test]
    public void StartupSweepRemovesOnlyIdleTemporaryFiles()
    {
        string data = Directory.CreateTempSubdirectory("genart-adapter-files-").FullName;
        try
        {
            var files = new Adapters.AdapterFiles(data);
            string idle, live;
            using (var a = files.CreateIncoming()) idle = a.Name;
            using (var b = files.CreateIncoming()) live = b.Name;
            var now = DateTime.UtcNow;
            File.SetLastWriteTimeUtc(idle, now - TimeSpan.FromHours(2));
            File.SetLastWriteTimeUtc(live, now - TimeSpan.FromMinutes(5));
            Assert.That(files.SweepIncoming(TimeSpan.FromHours(1), now), Is.EqualTo(1));
            Assert.That(File.Exists(idle), Is.False);
            Assert.That(File.Exists(live), Is.True, "an upload another front end is streaming is left alone");
        }
        finally
        {
            Directory.Delete(data, true);
        }
    }

    [Test]
    public async Task DeletesRacingUploadsOfTheSameBytesNeverLeaveARecordWithoutItsFile()
    {
        await using var server = await TestServer.StartAsync();
        byte[] bytes = AdapterFiles.ValidKohya(seed: 61);
        string file = Path.Combine(server.DataDir, "adapters", AdapterTestKit.Sha256(bytes) + ".safetensors");
        await server.UploadAsync("race-0", bytes);
        for (int i = 1; i <= 12; i++)
        {
            // The previous name's delete (possibly the file's last reference) races the next name's upload.
            await Task.WhenAll(server.UploadAsync($"race-{i}", bytes), server.DeleteAsync($"race-{i - 1}"));
            Assert.That(await server.Store().GetAsync("acme", $"race-{i}"), Is.Not.Null);
            Assert.That(File.Exists(file), Is.True, $"race-{i} is registered, so its file must be in place");
        }
        await server.DeleteAsync("race-12");
        Assert.That(File.Exists(file), Is.False, "the last delete removed the file");
        Assert.That(server.StoredFiles().Where(f => f.StartsWith(".incoming", StringComparison.Ordinal) && f.EndsWith(".part", StringComparison.Ordinal)), Is.Empty);
    }
}
