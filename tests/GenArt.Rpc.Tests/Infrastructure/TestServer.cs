using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using GenArt.Rpc.Client;
using GenArt.Rpc.Server;
using GenArt.Rpc.Tests.Interop;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace GenArt.Rpc.Tests.Infrastructure;

/// <summary>A Kestrel server on 127.0.0.1 with an h2c port (prior knowledge) and a TLS port (ALPN h2).</summary>
public sealed class TestServer : IAsyncDisposable
{
    private static readonly Lazy<X509Certificate2> SharedCert = new(CreateCertificate);

    private TestServer(WebApplication app, int h2cPort, int tlsPort, LogSink logs)
    {
        App = app;
        H2cPort = h2cPort;
        TlsPort = tlsPort;
        Logs = logs;
    }

    public WebApplication App { get; }
    public int H2cPort { get; }
    public int TlsPort { get; }
    public LogSink Logs { get; }
    public X509Certificate2 Certificate => SharedCert.Value;
    public string H2cAddress => $"http://127.0.0.1:{H2cPort}";
    public string TlsAddress => $"https://localhost:{TlsPort}";

    public static async Task<TestServer> StartAsync(Action<RpcServerOptions>? configure = null, Action<WebApplication>? map = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrelHttpsConfiguration();
        var logs = new LogSink();
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(logs);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http2);
            k.Listen(IPAddress.Loopback, 0, l =>
            {
                l.Protocols = HttpProtocols.Http1AndHttp2;
                l.UseHttps(SharedCert.Value);
            });
        });
        builder.Services.AddGenArtRpc(configure);
        var app = builder.Build();
        app.UseGenArtRpc();
        app.MapGrpcService(new TestServiceImpl());
        map?.Invoke(app);
        await app.StartAsync();
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.ToArray();
        int h2c = addresses.Where(a => a.StartsWith("http://", StringComparison.Ordinal)).Select(a => new Uri(a).Port).Single();
        int tls = addresses.Where(a => a.StartsWith("https://", StringComparison.Ordinal)).Select(a => new Uri(a).Port).Single();
        return new TestServer(app, h2c, tls, logs);
    }

    public RpcChannel CreateChannel(RpcChannelOptions? options = null) => RpcChannel.ForAddress(H2cAddress, options);

    public RpcChannel CreateTlsChannel(RpcChannelOptions? options = null)
    {
        options ??= new RpcChannelOptions();
        var expected = Certificate.Thumbprint;
        options.ConfigureHandler = h => h.SslOptions.RemoteCertificateValidationCallback =
            (_, cert, _, _) => cert is not null && new X509Certificate2(cert).Thumbprint == expected;
        return RpcChannel.ForAddress(TlsAddress, options);
    }

    /// <summary>Writes the server certificate as PEM (the CA file for TLS clients).</summary>
    public string WriteCertificatePem()
    {
        var path = Path.Combine(Path.GetTempPath(), $"genart-rpc-test-{Environment.ProcessId}.pem");
        File.WriteAllText(path, Certificate.ExportCertificatePem());
        return path;
    }

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
    }

    private static X509Certificate2 CreateCertificate()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var req = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("localhost");
        san.AddIpAddress(IPAddress.Loopback);
        req.CertificateExtensions.Add(san.Build());
        req.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        req.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(new OidCollection { new("1.3.6.1.5.5.7.3.1") }, false));
        using var cert = req.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        return X509CertificateLoader.LoadPkcs12(cert.Export(X509ContentType.Pfx), null);
    }
}

/// <summary>Collects log lines so tests can assert on what the server logged.</summary>
public sealed class LogSink : ILoggerProvider
{
    private readonly List<string> _lines = new();
    private readonly List<(Func<string, bool> Match, TaskCompletionSource<string> Done)> _waiters = new();

    public IReadOnlyList<string> Lines
    {
        get { lock (_lines) return _lines.ToArray(); }
    }

    /// <summary>Completes with the first line (already logged or still to come) that matches.</summary>
    public Task<string> WaitForLineAsync(Func<string, bool> match)
    {
        lock (_lines)
        {
            foreach (var line in _lines)
                if (match(line)) return Task.FromResult(line);
            var done = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((match, done));
            return done.Task;
        }
    }

    private void Add(string line)
    {
        lock (_lines)
        {
            _lines.Add(line);
            for (int i = _waiters.Count - 1; i >= 0; i--)
            {
                if (!_waiters[i].Match(line)) continue;
                _waiters[i].Done.TrySetResult(line);
                _waiters.RemoveAt(i);
            }
        }
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);
    public void Dispose() { }

    private sealed class Logger(LogSink sink, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            sink.Add($"{logLevel} {category}: {formatter(state, exception)} {exception}");
        }
    }
}
