using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace GenArt.Redis.Tests.Infrastructure;

/// <summary>A throwaway CA, a server certificate for 127.0.0.1 and a client certificate, written as PEM for redis-server.</summary>
internal sealed class TestCertificates : IDisposable
{
    private TestCertificates(X509Certificate2 authority, X509Certificate2 client, string directory)
    {
        Authority = authority;
        Client = client;
        Directory = directory;
    }

    public X509Certificate2 Authority { get; }

    public X509Certificate2 Client { get; }

    public string Directory { get; }

    public string AuthorityPem => Path.Combine(Directory, "ca.crt");

    public string ServerCertPem => Path.Combine(Directory, "server.crt");

    public string ServerKeyPem => Path.Combine(Directory, "server.key");

    /// <summary>A server certificate issued by an intermediate CA, followed by that intermediate, as servers send them.</summary>
    public string ChainedCertPem => Path.Combine(Directory, "chained.crt");

    public string ChainedKeyPem => Path.Combine(Directory, "chained.key");

    public static TestCertificates Create(string directory)
    {
        var now = DateTimeOffset.UtcNow;
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=GenArt Test CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, false));
        var authority = caRequest.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(1));

        using var serverKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var server = ServerRequest(serverKey).Create(authority, now.AddMinutes(-5), now.AddDays(1), [1, 2, 3, 4]);

        using var intermediateKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var intermediateRequest = new CertificateRequest("CN=GenArt Test Intermediate", intermediateKey, HashAlgorithmName.SHA256);
        intermediateRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        intermediateRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        intermediateRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(intermediateRequest.PublicKey, false));
        using var intermediatePublic = intermediateRequest.Create(authority, now.AddMinutes(-5), now.AddDays(1), [9, 9, 9, 9]);
        using var intermediate = intermediatePublic.CopyWithPrivateKey(intermediateKey);
        using var chainedKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var chained = ServerRequest(chainedKey).Create(intermediate, now.AddMinutes(-5), now.AddDays(1), [4, 3, 2, 1]);

        using var clientKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var clientRequest = LeafRequest("CN=genart-worker", clientKey, "1.3.6.1.5.5.7.3.2");
        using var clientPublic = clientRequest.Create(authority, now.AddMinutes(-5), now.AddDays(1), [5, 6, 7, 8]);
        // Round-trip through PKCS#12 so the private key is a persisted one that SslStream can use for client auth.
        using var clientEphemeral = clientPublic.CopyWithPrivateKey(clientKey);
        var client = X509CertificateLoader.LoadPkcs12(clientEphemeral.Export(X509ContentType.Pkcs12), null);

        File.WriteAllText(Path.Combine(directory, "ca.crt"), authority.ExportCertificatePem());
        File.WriteAllText(Path.Combine(directory, "server.crt"), server.ExportCertificatePem());
        File.WriteAllText(Path.Combine(directory, "server.key"), serverKey.ExportPkcs8PrivateKeyPem());
        File.WriteAllText(Path.Combine(directory, "chained.crt"), chained.ExportCertificatePem() + "\n" + intermediatePublic.ExportCertificatePem());
        File.WriteAllText(Path.Combine(directory, "chained.key"), chainedKey.ExportPkcs8PrivateKeyPem());
        using var publicAuthority = X509CertificateLoader.LoadCertificate(authority.RawData);
        authority.Dispose();
        return new TestCertificates(X509CertificateLoader.LoadCertificate(publicAuthority.RawData), client, directory);
    }

    private static CertificateRequest ServerRequest(ECDsa key)
    {
        var request = LeafRequest("CN=127.0.0.1", key, "1.3.6.1.5.5.7.3.1");
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        return request;
    }

    private static CertificateRequest LeafRequest(string subject, ECDsa key, string usageOid)
    {
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(usageOid)], false));
        return request;
    }

    public void Dispose()
    {
        Authority.Dispose();
        Client.Dispose();
    }
}
