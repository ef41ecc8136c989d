using System.Security.Cryptography;
using System.Text;

namespace GenArt.Jobs.Tests;

/// <summary>
/// The behaviour every <see cref="IAdapterStore"/> must have, written once. An implementation's fixture supplies a
/// fresh, empty store per test and a way to open a second store over the same backing data.
/// </summary>
public abstract class AdapterStoreContractTests
{
    protected IAdapterStore Store { get; private set; } = null!;

    /// <summary>A new, empty store.</summary>
    protected abstract Task<IAdapterStore> CreateStoreAsync();

    /// <summary>Another store over the same data as <see cref="Store"/> (a restart, or a second front end).</summary>
    protected abstract Task<IAdapterStore> ReopenAsync();

    [SetUp]
    public async Task CreateStore() => Store = await CreateStoreAsync();

    internal static string Sha(string content) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(content)));

    internal static AdapterRecord Record(string tenant = "acme", string name = "ink-style", string content = "a", string description = "") =>
        new(tenant, name, Sha(content), 1234567890123, "kohya", "pipeline", 8, 4.5, 24,
            new DateTimeOffset(2026, 11, 22, 14, 30, 15, 123, TimeSpan.Zero), description);

    [Test]
    public async Task AnAddedRecordReadsBackField_for_field()
    {
        var record = Record(description: "Brush ink, 墨; \"quoted\"\nsecond line") with { Alpha = 0.1 + 0.2, Rank = 128 };
        Assert.That(await Store.TryAddAsync(record), Is.True);
        Assert.That(await Store.GetAsync("acme", "ink-style"), Is.EqualTo(record));
    }

    [Test]
    public async Task ADuplicateNameOfTheSameTenantIsRefusedAndChangesNothing()
    {
        var first = Record(content: "first");
        Assert.That(await Store.TryAddAsync(first), Is.True);
        Assert.That(await Store.TryAddAsync(Record(content: "second", description: "other")), Is.False);
        Assert.That(await Store.GetAsync("acme", "ink-style"), Is.EqualTo(first));
        Assert.That(await Store.ListAsync("acme"), Has.Count.EqualTo(1));
        Assert.That(await Store.IsReferencedAsync(Sha("second")), Is.False, "the refused record references nothing");
    }

    [Test]
    public async Task TenantsHaveSeparateNamespaces()
    {
        Assert.That(await Store.TryAddAsync(Record("acme", content: "a")), Is.True);
        Assert.That(await Store.TryAddAsync(Record("globex", content: "g")), Is.True);
        Assert.That((await Store.GetAsync("acme", "ink-style"))!.Sha256, Is.EqualTo(Sha("a")));
        Assert.That((await Store.GetAsync("globex", "ink-style"))!.Sha256, Is.EqualTo(Sha("g")));
    }

    [Test]
    public async Task AnotherTenantsAdapterIsInvisible()
    {
        await Store.TryAddAsync(Record("acme", "secret-look"));
        Assert.That(await Store.GetAsync("globex", "secret-look"), Is.Null);
        Assert.That(await Store.ListAsync("globex"), Is.Empty);
        Assert.That(await Store.DeleteAsync("globex", "secret-look"), Is.False);
        Assert.That(await Store.GetAsync("acme", "secret-look"), Is.Not.Null, "a refused delete leaves the record");
    }

    [Test]
    public async Task ListIsTheTenantsOwnOrderedByName()
    {
        foreach (string name in new[] { "zeta", "alpha", "alpha-2", "alpha.1", "beta_b", "0-first" })
            Assert.That(await Store.TryAddAsync(Record("acme", name, name)), Is.True);
        await Store.TryAddAsync(Record("globex", "gamma"));
        var names = (await Store.ListAsync("acme")).Select(r => r.Name).ToList();
        Assert.That(names, Is.EqualTo(new[] { "0-first", "alpha", "alpha-2", "alpha.1", "beta_b", "zeta" }));
        Assert.That((await Store.ListAsync("acme")).All(r => r.Tenant == "acme"));
        Assert.That(await Store.ListAsync("initech"), Is.Empty);
    }

    [Test]
    public async Task DeleteRemovesTheRecordOnce()
    {
        await Store.TryAddAsync(Record());
        await Store.TryAddAsync(Record(name: "keep", content: "k"));
        Assert.That(await Store.DeleteAsync("acme", "ink-style"), Is.True);
        Assert.That(await Store.GetAsync("acme", "ink-style"), Is.Null);
        Assert.That((await Store.ListAsync("acme")).Select(r => r.Name), Is.EqualTo(new[] { "keep" }));
        Assert.That(await Store.DeleteAsync("acme", "ink-style"), Is.False);
        Assert.That(await Store.TryAddAsync(Record(content: "again")), Is.True, "the name is free again");
    }

    [Test]
    public async Task AFileStaysReferencedUntilItsLastRecordIsDeleted()
    {
        await Store.TryAddAsync(Record("acme", "one", "shared"));
        await Store.TryAddAsync(Record("acme", "two", "shared"));
        await Store.TryAddAsync(Record("globex", "three", "shared"));
        Assert.That(await Store.IsReferencedAsync(Sha("shared")), Is.True);
        Assert.That(await Store.DeleteAsync("acme", "one"), Is.True);
        Assert.That(await Store.DeleteAsync("globex", "three"), Is.True);
        Assert.That(await Store.IsReferencedAsync(Sha("shared")), Is.True, "acme/two still names it");
        Assert.That(await Store.DeleteAsync("acme", "two"), Is.True);
        Assert.That(await Store.IsReferencedAsync(Sha("shared")), Is.False);
        Assert.That(await Store.IsReferencedAsync(Sha("never stored")), Is.False);
    }

    [TestCase("../x")]
    [TestCase("a/b")]
    [TestCase(".hidden")]
    [TestCase("")]
    [TestCase("Upper")]
    [TestCase("nul\0byte")]
    public void AnInvalidNameIsRefusedByTheStoreItself(string name)
    {
        Assert.ThrowsAsync<ArgumentException>(() => Store.TryAddAsync(Record(name: name)));
    }

    [Test]
    public async Task InvalidNamesAndTenantsAreSimplyNotFound()
    {
        Assert.That(await Store.GetAsync("acme", "../x"), Is.Null);
        Assert.That(await Store.GetAsync("a:b", "x"), Is.Null);
        Assert.That(await Store.DeleteAsync("acme", "a/b"), Is.False);
        Assert.That(await Store.ListAsync("no such tenant"), Is.Empty);
    }

    [Test]
    public async Task ConcurrentAddsOfOneNameRegisterExactlyOne()
    {
        var adds = Enumerable.Range(0, 16).Select(i => Task.Run(() => Store.TryAddAsync(Record(content: $"c{i}")))).ToList();
        bool[] results = await Task.WhenAll(adds);
        Assert.That(results.Count(r => r), Is.EqualTo(1));
        var winner = await Store.GetAsync("acme", "ink-style");
        int index = Array.IndexOf(results, true);
        Assert.That(winner!.Sha256, Is.EqualTo(Sha($"c{index}")));
        var referenced = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => Store.IsReferencedAsync(Sha($"c{i}"))));
        Assert.That(referenced.Count(r => r), Is.EqualTo(1), "losers left no reference behind");
    }

    [Test]
    public async Task ConcurrentDeletesOfOneRecordSucceedOnce()
    {
        await Store.TryAddAsync(Record());
        var deletes = Enumerable.Range(0, 8).Select(_ => Task.Run(() => Store.DeleteAsync("acme", "ink-style"))).ToList();
        Assert.That((await Task.WhenAll(deletes)).Count(r => r), Is.EqualTo(1));
        Assert.That(await Store.IsReferencedAsync(Sha("a")), Is.False);
    }

    [Test]
    public async Task RegistrationsSurviveAReopen()
    {
        var kept = Record("acme", "kept", "k", "survives");
        await Store.TryAddAsync(kept);
        await Store.TryAddAsync(Record("acme", "gone", "g"));
        await Store.DeleteAsync("acme", "gone");

        var reopened = await ReopenAsync();
        Assert.That(await reopened.GetAsync("acme", "kept"), Is.EqualTo(kept));
        Assert.That(await reopened.GetAsync("acme", "gone"), Is.Null);
        Assert.That(await reopened.IsReferencedAsync(Sha("k")), Is.True);
        Assert.That(await reopened.IsReferencedAsync(Sha("g")), Is.False);
        Assert.That(await reopened.TryAddAsync(Record("acme", "kept", "other")), Is.False);
    }
}
