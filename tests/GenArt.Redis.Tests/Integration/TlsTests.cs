using GenArt.Redis.Tests.Infrastructure;

namespace GenArt.Redis.Tests.Integration;

/// <summary>redis-server with only a TLS port, a CA and certificates generated for the run.</summary>
public sealed class TlsTests
{
    private string _directory = null!;
    private TestCertificates _certificates = null!;
    private RedisServerProcess _server = null!;
    private RedisServerProcess _mutualServer = null!;
    private RedisServerProcess _chainedServer = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _directory = Directory.CreateTempSubdirectory("genart-redis-tls-").FullName;
        _certificates = TestCertificates.Create(_directory);
        string[] tls = ["--tls-cert-file", _certificates.ServerCertPem, "--tls-key-file", _certificates.ServerKeyPem,
            "--tls-ca-cert-file", _certificates.AuthorityPem];
        _server = await RedisServerProcess.StartAsync([.. tls, "--tls-auth-clients", "no"], tlsOnly: true);
        _mutualServer = await RedisServerProcess.StartAsync([.. tls, "--tls-auth-clients", "yes"], tlsOnly: true);
        _chainedServer = await RedisServerProcess.StartAsync([
            "--tls-cert-file", _certificates.ChainedCertPem, "--tls-key-file", _certificates.ChainedKeyPem,
            "--tls-ca-cert-file", _certificates.AuthorityPem, "--tls-auth-clients", "no"], tlsOnly: true);
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        await _server.DisposeAsync();
        await _mutualServer.DisposeAsync();
        await _chainedServer.DisposeAsync();
        _certificates.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private RedisOptions Options(RedisServerProcess server)
    {
        var options = RedisOptions.Parse($"rediss://127.0.0.1:{server.Port}");
        options.TlsCertificateAuthority = _certificates.Authority;
        return options;
    }

    [Test]
    public async Task Commands_and_pipelines_run_over_tls()
    {
        await using var client = await RedisClient.ConnectAsync(Options(_server));
        Assert.That(await client.PingAsync(), Is.EqualTo("PONG"));
        var incrs = await Task.WhenAll(Enumerable.Range(0, 2000).Select(_ => client.IncrAsync("tls:counter")));
        Assert.That(incrs[^1] - incrs[0], Is.EqualTo(1999));
        var payload = new byte[200_000];
        new Random(3).NextBytes(payload);
        await client.SetAsync("tls:blob", payload);
        Assert.That((await client.GetAsync("tls:blob")).ToArray(), Is.EqualTo(payload));

        var read = client.XReadAsync("tls:events", "0", block: TimeSpan.FromSeconds(10));
        await client.XAddAsync("tls:events", [("n", 1)]);
        Assert.That(await read.WaitAsync(TimeSpan.FromSeconds(10)), Has.Count.EqualTo(1), "blocking connections use TLS too");
    }

    [Test]
    public void Untrusted_server_certificate_is_refused()
    {
        var options = RedisOptions.Parse($"rediss://127.0.0.1:{_server.Port}");
        var error = Assert.ThrowsAsync<RedisConnectionException>(() => RedisClient.ConnectAsync(options));
        Assert.That(error!.Message, Does.Contain("TLS handshake with Redis at 127.0.0.1"));
    }

    [Test]
    public void Certificate_for_another_host_name_is_refused_even_from_the_trusted_ca()
    {
        var options = Options(_server);
        options.TlsHostName = "queue.example.com";
        var error = Assert.ThrowsAsync<RedisConnectionException>(() => RedisClient.ConnectAsync(options));
        Assert.That(error!.Message, Does.Contain("TLS handshake"));
    }

    [Test]
    public async Task Plain_tcp_client_against_a_tls_port_fails_instead_of_hanging()
    {
        var options = RedisOptions.Parse($"redis://127.0.0.1:{_server.Port}?timeout=2000");
        await using var client = await RedisClient.ConnectAsync(options);
        Assert.That(async () => await client.PingAsync(), Throws.InstanceOf<RedisException>());
    }

    [Test]
    public async Task Mutual_tls_needs_the_client_certificate()
    {
        var without = Options(_mutualServer);
        Assert.That(async () =>
        {
            await using var client = await RedisClient.ConnectAsync(without);
            await client.PingAsync();
        }, Throws.InstanceOf<RedisConnectionException>());

        var with = Options(_mutualServer);
        with.TlsClientCertificate = _certificates.Client;
        await using var authenticated = await RedisClient.ConnectAsync(with);
        Assert.That(await authenticated.PingAsync(), Is.EqualTo("PONG"));
    }

    [Test]
    public async Task Server_certificates_from_an_intermediate_are_trusted_through_the_chain_the_server_sends()
    {
        await using var client = await RedisClient.ConnectAsync(Options(_chainedServer));
        Assert.That(await client.PingAsync(), Is.EqualTo("PONG"));
    }
}
