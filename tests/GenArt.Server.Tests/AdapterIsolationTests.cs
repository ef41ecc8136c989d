using GenArt.Api.V1;
using GenArt.Rpc;

namespace GenArt.Server.Tests;

/// <summary>
/// Tenant isolation: acme's adapter is invisible to globex through every call (list, get, delete, Generate), and the
/// refusal is exactly the one for a name that exists nowhere, so globex cannot even learn that it exists.
/// </summary>
[NonParallelizable]
public sealed class AdapterIsolationTests
{
    private TestServer _server = null!;
    private Adapter _acmeOnly = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _server = await TestServer.StartAsync();
        _acmeOnly = await _server.UploadAsync("acme-look", AdapterFiles.ValidKohya(seed: 3));
    }

    [OneTimeTearDown]
    public async Task Stop() => await _server.DisposeAsync();

    private string Globex => _server.OtherTenantKey;

    /// <summary>The status of <paramref name="call"/>, which must fail.</summary>
    private static async Task<Status> Refusal(Func<Task> call)
    {
        try
        {
            await call();
        }
        catch (RpcException e)
        {
            return e.Status;
        }
        Assert.Fail("the call succeeded");
        throw new InvalidOperationException("unreachable");
    }

    /// <summary>A missing name gives the same status and message as acme's, with only the name swapped.</summary>
    private static void AssertIndistinguishable(Status forOwned, Status forMissing)
    {
        Assert.That(forOwned.StatusCode, Is.EqualTo(StatusCode.NotFound), forOwned.Detail);
        Assert.That(forMissing.StatusCode, Is.EqualTo(StatusCode.NotFound), forMissing.Detail);
        Assert.That(forOwned.Detail.Replace("acme-look", "NAME"), Is.EqualTo(forMissing.Detail.Replace("never-made", "NAME")));
    }

    [Test]
    public async Task ListShowsOnlyTheCallersAdapters()
    {
        Assert.That((await _server.ListAsync()).Select(a => a.Name), Is.EqualTo(new[] { "acme-look" }));
        Assert.That(await _server.ListAsync(key: Globex), Is.Empty);
        Assert.That(await _server.ListAsync(key: Globex, baseModel: TestServer.ModelName), Is.Empty);
    }

    [Test]
    public async Task GetOfAnotherTenantsAdapterIsNotFoundLikeAMissingOne()
    {
        var owned = await Refusal(() => _server.GetAsync("acme-look", key: Globex));
        var missing = await Refusal(() => _server.GetAsync("never-made", key: Globex));
        AssertIndistinguishable(owned, missing);
        Assert.That(await _server.GetAsync("acme-look"), Is.EqualTo(_acmeOnly), "acme still sees it");
    }

    [Test]
    public async Task DeleteOfAnotherTenantsAdapterIsNotFoundAndDeletesNothing()
    {
        var owned = await Refusal(() => _server.DeleteAsync("acme-look", key: Globex));
        var missing = await Refusal(() => _server.DeleteAsync("never-made", key: Globex));
        AssertIndistinguishable(owned, missing);
        Assert.That(await _server.GetAsync("acme-look"), Is.EqualTo(_acmeOnly));
        Assert.That(_server.AdapterFileNames(), Does.Contain(_acmeOnly.Sha256 + ".safetensors"));
    }

    [Test]
    public async Task GenerateWithAnotherTenantsAdapterIsNotFoundLikeAMissingOne()
    {
        static GenerateRequest With(string name)
        {
            var r = TestServer.Request(steps: 2);
            r.Adapters.Add(new AdapterRef { Name = name, Scale = 0.8f });
            return r;
        }
        var (ownedEvents, owned) = await _server.GenerateAllAsync(With("acme-look"), _server.Options(Globex));
        var (missingEvents, missing) = await _server.GenerateAllAsync(With("never-made"), _server.Options(Globex));
        AssertIndistinguishable(owned, missing);
        Assert.That(owned.Detail, Does.StartWith("adapters[0].name:"));
        Assert.That(ownedEvents, Is.Empty, "nothing was queued");
        Assert.That(missingEvents, Is.Empty);
        var depth = await _server.Server.Queue.QueueDepthAsync();
        Assert.That(depth.QueuedJobs, Is.Zero);
    }

    [Test]
    public async Task TheOwnerCanGenerateWithIt()
    {
        await _server.UploadAsync("acme-golden", AdapterFiles.GoldenKohya);
        try
        {
            var plain = TestServer.Request(steps: 2);
            var styled = TestServer.Request(steps: 2);
            styled.Adapters.Add(new AdapterRef { Name = "acme-golden", Scale = 1 });
            var (plainEvents, plainStatus) = await _server.GenerateAllAsync(plain);
            var (styledEvents, styledStatus) = await _server.GenerateAllAsync(styled);
            Assert.That(plainStatus.StatusCode, Is.EqualTo(StatusCode.OK), plainStatus.Detail);
            Assert.That(styledStatus.StatusCode, Is.EqualTo(StatusCode.OK), styledStatus.Detail);
            var plainPng = plainEvents.Single(e => e.EventCase == JobEvent.EventOneofCase.Image).Image.Png;
            var styledPng = styledEvents.Single(e => e.EventCase == JobEvent.EventOneofCase.Image).Image.Png;
            // Pixels, not PNG bytes: the metadata chunk differs anyway.
            var plainPixels = Imaging.ImageDecoder.Decode(plainPng.ToByteArray(), "plain.png").Pixels;
            var styledPixels = Imaging.ImageDecoder.Decode(styledPng.ToByteArray(), "styled.png").Pixels;
            Assert.That(styledPixels, Is.Not.EqualTo(plainPixels), "same prompt and seed: the adapter changed the image");
        }
        finally
        {
            await _server.DeleteAsync("acme-golden");
        }
    }

    [Test]
    public async Task AnAdapterForAnotherBaseModelIsInvalidArgument()
    {
        // Registered as a fine-tune job would, for a model this server does not serve.
        var record = new Jobs.AdapterRecord("acme", "other-base", _acmeOnly.Sha256, (long)_acmeOnly.SizeBytes, "kohya", "sd15-full", 4, 4, 4,
            DateTimeOffset.UtcNow, "");
        Assert.That(await _server.Store().TryAddAsync(record), Is.True);
        var r = TestServer.Request(steps: 2);
        r.Adapters.Add(new AdapterRef { Name = "other-base", Scale = 1 });
        var (events, status) = await _server.GenerateAllAsync(r);
        Assert.That(status.StatusCode, Is.EqualTo(StatusCode.InvalidArgument), status.Detail);
        Assert.That(status.Detail, Does.StartWith("adapters[0].name:").And.Contain("sd15-full"));
        Assert.That(events, Is.Empty);
        Assert.That(await _server.Store().DeleteAsync("acme", "other-base"), Is.True);
    }

    [Test]
    public async Task AnotherTenantMayUseTheSameNameForItsOwnAdapter()
    {
        var theirs = await _server.UploadAsync("acme-look", AdapterFiles.ValidKohya(seed: 99), key: Globex);
        Assert.That(theirs.Sha256, Is.Not.EqualTo(_acmeOnly.Sha256));
        Assert.That((await _server.GetAsync("acme-look", key: Globex)).Sha256, Is.EqualTo(theirs.Sha256));
        Assert.That((await _server.GetAsync("acme-look")).Sha256, Is.EqualTo(_acmeOnly.Sha256), "each tenant sees its own");
        await _server.DeleteAsync("acme-look", key: Globex);
        Assert.That(await _server.GetAsync("acme-look"), Is.EqualTo(_acmeOnly), "globex's delete removed only its own");
        Assert.That(_server.AdapterFileNames(), Is.EqualTo(new[] { _acmeOnly.Sha256 + ".safetensors" }));
    }
}
