using System.Text.Json;

namespace GenArt.Jobs.Tests;

/// <summary>The contract against the embedded registry, plus its file format and atomic writes.</summary>
[TestFixture]
public sealed class InProcessAdapterStoreTests : AdapterStoreContractTests
{
    private string _dataDir = null!;

    protected override Task<IAdapterStore> CreateStoreAsync()
    {
        _dataDir = Directory.CreateTempSubdirectory("genart-adapter-store-").FullName;
        return Task.FromResult<IAdapterStore>(new InProcessAdapterStore(_dataDir));
    }

    protected override Task<IAdapterStore> ReopenAsync() => Task.FromResult<IAdapterStore>(new InProcessAdapterStore(_dataDir));

    [TearDown]
    public void RemoveDataDir() => Directory.Delete(_dataDir, recursive: true);

    private string RegistryPath => Path.Combine(_dataDir, "adapters", "registry.json");

    [Test]
    public async Task TheRegistryIsOneJsonFileAndNoTemporaryFileRemains()
    {
        await Store.TryAddAsync(Record("acme", "one", "1"));
        await Store.TryAddAsync(Record("globex", "two", "2"));
        await Store.DeleteAsync("acme", "one");

        Assert.That(Directory.GetFiles(Path.Combine(_dataDir, "adapters")).Select(Path.GetFileName), Is.EqualTo(new[] { "registry.json" }));
        using var json = JsonDocument.Parse(File.ReadAllText(RegistryPath));
        var only = json.RootElement.EnumerateArray().Single();
        Assert.That(only.GetProperty("tenant").GetString(), Is.EqualTo("globex"));
        Assert.That(only.GetProperty("name").GetString(), Is.EqualTo("two"));
        Assert.That(only.GetProperty("sha256").GetString(), Is.EqualTo(Sha("2")));
    }

    [Test]
    public async Task AFailedWriteLeavesTheStoreAsItWas()
    {
        await Store.TryAddAsync(Record("acme", "one", "1"));
        // A directory where the temporary file's rename target is makes the write fail after the temp file exists.
        File.Delete(RegistryPath);
        Directory.CreateDirectory(RegistryPath);
        Assert.That(() => Store.TryAddAsync(Record("acme", "two", "2")), Throws.InstanceOf<IOException>().Or.InstanceOf<UnauthorizedAccessException>());
        Assert.That(await Store.GetAsync("acme", "two"), Is.Null);
        Assert.That(await Store.IsReferencedAsync(Sha("2")), Is.False);
        Assert.That(Directory.GetFiles(Path.Combine(_dataDir, "adapters")), Is.Empty, "the temporary file was removed");
    }

    [Test]
    public void ACorruptRegistryIsReportedWithItsPath()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(RegistryPath)!);
        File.WriteAllText(RegistryPath, "[{\"tenant\": ");
        var e = Assert.Throws<InvalidDataException>(() => _ = new InProcessAdapterStore(_dataDir));
        Assert.That(e!.Message, Does.Contain(RegistryPath));
    }
}
