using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using GenArt.Redis.Internal;

namespace GenArt.Redis;

/// <summary>Where and how to connect. Build one directly or with <see cref="Parse"/> from a <c>redis://</c> URI.</summary>
public sealed partial class RedisOptions
{
    public string Host { get; set; } = "127.0.0.1";

    public int Port { get; set; } = 6379;

    /// <summary>ACL user name; null authenticates as the default user when <see cref="Password"/> is set.</summary>
    public string? User { get; set; }

    public string? Password { get; set; }

    /// <summary>Database index selected on every (re)connect.</summary>
    public int Database { get; set; }

    /// <summary>RESP protocol version: 2 (default) or 3, negotiated with HELLO on every connect.</summary>
    public int Protocol { get; set; } = 2;

    /// <summary>Name set with CLIENT SETNAME on every connection, visible in CLIENT LIST.</summary>
    public string? ClientName { get; set; }

    public bool UseTls { get; set; }

    /// <summary>Name the server certificate must carry; defaults to <see cref="Host"/>.</summary>
    public string? TlsHostName { get; set; }

    /// <summary>Trust this CA (and only it) for the server certificate instead of the system store.</summary>
    public X509Certificate2? TlsCertificateAuthority { get; set; }

    /// <summary>Client certificate for servers started with <c>tls-auth-clients yes</c>.</summary>
    public X509Certificate2? TlsClientCertificate { get; set; }

    /// <summary>Full control over server certificate validation; overrides <see cref="TlsCertificateAuthority"/>.</summary>
    public RemoteCertificateValidationCallback? TlsCertificateValidation { get; set; }

    /// <summary>Bound on TCP connect, TLS handshake and the AUTH/HELLO/SELECT exchange.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Bound on each command's reply; blocking reads get their BLOCK time on top.</summary>
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>First reconnect delay; doubles per failed attempt (with jitter) up to <see cref="ReconnectMaxDelay"/>.</summary>
    public TimeSpan ReconnectBaseDelay { get; set; } = TimeSpan.FromMilliseconds(100);

    public TimeSpan ReconnectMaxDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Most connections used at once for blocking reads (XREAD/XREADGROUP with BLOCK).</summary>
    public int MaxBlockingConnections { get; set; } = 16;

    /// <summary>Largest bulk string accepted from the server.</summary>
    public long MaxBulkLength { get; set; } = RespLimits.Default.MaxBulkLength;

    /// <summary>Largest element count of one aggregate reply accepted from the server.</summary>
    public int MaxAggregateLength { get; set; } = RespLimits.Default.MaxAggregateLength;

    internal RespLimits Limits => new(MaxBulkLength, MaxAggregateLength, RespLimits.Default.MaxDepth, RespLimits.Default.MaxLineLength);

    /// <summary>host:port, for messages.</summary>
    public string EndPoint => Host.Contains(':') ? $"[{Host}]:{Port}" : $"{Host}:{Port}";

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Host)) throw new ArgumentException("Host must not be empty.", nameof(Host));
        if (Port is < 1 or > 65535) throw new ArgumentException($"Port must be between 1 and 65535 but was {Port}.", nameof(Port));
        if (Database < 0) throw new ArgumentException($"Database must not be negative but was {Database}.", nameof(Database));
        if (Protocol is not (2 or 3)) throw new ArgumentException($"Protocol must be 2 or 3 but was {Protocol}.", nameof(Protocol));
        if (User is not null && Password is null)
            throw new ArgumentException("User is set but Password is not; AUTH needs a password.", nameof(Password));
        RequirePositive(ConnectTimeout, nameof(ConnectTimeout));
        RequirePositive(CommandTimeout, nameof(CommandTimeout));
        RequirePositive(ReconnectBaseDelay, nameof(ReconnectBaseDelay));
        RequirePositive(ReconnectMaxDelay, nameof(ReconnectMaxDelay));
        if (MaxBlockingConnections < 1)
            throw new ArgumentException($"MaxBlockingConnections must be at least 1 but was {MaxBlockingConnections}.", nameof(MaxBlockingConnections));
        if (MaxBulkLength < 1) throw new ArgumentException("MaxBulkLength must be positive.", nameof(MaxBulkLength));
        if (MaxAggregateLength < 1) throw new ArgumentException("MaxAggregateLength must be positive.", nameof(MaxAggregateLength));
    }

    internal RedisOptions Clone() => (RedisOptions)MemberwiseClone();

    private static void RequirePositive(TimeSpan value, string name)
    {
        if (value <= TimeSpan.Zero) throw new ArgumentException($"{name} must be positive but was {value}.", name);
    }
}
