using GenArt.Server.Auth;

namespace GenArt.Server.Tests;

public sealed class ApiKeyStoreTests
{
    private string _dir = null!;

    [SetUp]
    public void CreateDirectory() => _dir = Path.Combine(Path.GetTempPath(), "genart-keys-" + Guid.NewGuid().ToString("N"));

    [TearDown]
    public void DeleteDirectory()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, true);
    }

    [Test]
    public void EachKeyAuthenticatesAsItsTenantAndIsStoredOnlyAsAHash()
    {
        var store = new ApiKeyStore(_dir);
        string acme = store.Create("acme"), globex = store.Create("globex");
        var reader = new ApiKeyStore(_dir);
        Assert.That(reader.Authenticate(acme), Is.EqualTo("acme"));
        Assert.That(reader.Authenticate(globex), Is.EqualTo("globex"));
        string file = File.ReadAllText(store.FilePath);
        Assert.That(file, Does.Not.Contain(acme.Split('_', 3)[2]));
        Assert.That(file, Does.Contain("\"tenant\": \"acme\""));
    }

    [Test]
    public void ASecretContainingTheSeparatorStillAuthenticates()
    {
        // The secret is base64url, so about half of all keys have '_' in it; the id alone ends at the first one after the prefix.
        var store = new ApiKeyStore(_dir);
        string? key = Enumerable.Range(0, 200).Select(_ => store.Create("acme")).FirstOrDefault(k => k.Split('_').Length > 3);
        Assert.That(key, Is.Not.Null, "200 keys without '_' in the secret");
        Assert.That(new ApiKeyStore(_dir).Authenticate(key!), Is.EqualTo("acme"));
        Assert.That(File.ReadAllText(store.FilePath), Does.Not.Contain(key!.Split('_', 3)[2]));
    }

    [Test]
    public void AnAlteredUnknownOrMalformedKeyIsRefused()
    {
        var store = new ApiKeyStore(_dir);
        string key = store.Create("acme");
        char last = key[^1] == 'A' ? 'B' : 'A';
        Assert.That(store.Authenticate(key[..^1] + last), Is.Null);
        Assert.That(store.Authenticate("ga_ffffffffffff_" + key.Split('_', 3)[2]), Is.Null);
        Assert.That(store.Authenticate(key.Replace("ga_", "gb_")), Is.Null);
        Assert.That(store.Authenticate(""), Is.Null);
        Assert.That(store.Authenticate("ga_nounderscore"), Is.Null);
    }

    [TestCase("")]
    [TestCase("has space")]
    [TestCase("slash/tenant")]
    public void ATenantNameOutsideTheRulesIsRefused(string tenant) =>
        Assert.Throws<ArgumentException>(() => new ApiKeyStore(_dir).Create(tenant));
}
