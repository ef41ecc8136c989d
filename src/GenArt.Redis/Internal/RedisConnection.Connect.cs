using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace GenArt.Redis.Internal;

internal sealed partial class RedisConnection
{
    /// <summary>
    /// Opens a socket (and TLS), then authenticates, names the client and selects the database, all within
    /// <see cref="RedisOptions.ConnectTimeout"/>.
    /// </summary>
    /// <exception cref="RedisConnectionException">Any failure; a server refusal (bad password) is the inner exception.</exception>
    /// <param name="messageSink">For subscriber connections: receives published messages, which answer no command.</param>
    public static async Task<RedisConnection> ConnectAsync(RedisOptions options, string role,
        Action<RedisConnection, Exception>? onFault, CancellationToken cancellationToken, Action<RedisPubSubMessage>? messageSink = null)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.ConnectTimeout);
        Stream? stream = null;
        try
        {
            stream = await OpenStreamAsync(options, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            stream?.Dispose();
            throw ExceptionFactory.ConnectTimedOut(options.EndPoint, options.ConnectTimeout);
        }

        var connection = new RedisConnection(options, stream, role, null, messageSink);
        connection.Start();
        try
        {
            await connection.HandshakeAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            connection.Dispose();
            if (e is OperationCanceledException && cancellationToken.IsCancellationRequested) throw;
            throw e switch
            {
                // The setup deadline and a setup command's own reply timeout can expire together; either way the
                // setup timed out, and the caller gets one error for it.
                OperationCanceledException or RedisTimeoutException => ExceptionFactory.SetupTimedOut(options.EndPoint, options.ConnectTimeout),
                RedisServerException server => ExceptionFactory.SetupRefused(options.EndPoint, server),
                RedisConnectionException connectionError => connectionError,
                _ => ExceptionFactory.SetupFailed(options.EndPoint, e),
            };
        }
        // Only now may faults reach the owner: a connection that never finished its setup was never handed out.
        connection._onFault = onFault;
        if (connection.IsFaulted)
            throw ExceptionFactory.ClosedDuringSetup(options.EndPoint, connection._fault);
        return connection;
    }

    private static async Task<Stream> OpenStreamAsync(RedisOptions options, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(options.Host, options.Port, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw ExceptionFactory.CannotConnect(options.EndPoint, e);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        Stream stream = new NetworkStream(socket, ownsSocket: true);
        if (!options.UseTls) return stream;

        var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
        try
        {
            await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = options.TlsHostName ?? options.Host,
                RemoteCertificateValidationCallback = options.TlsCertificateValidation ?? TrustAuthority(options.TlsCertificateAuthority),
                ClientCertificates = options.TlsClientCertificate is null ? null : [options.TlsClientCertificate],
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is AuthenticationException or IOException)
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            throw ExceptionFactory.TlsFailed(options.EndPoint, e);
        }
        catch
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        return ssl;
    }

    /// <summary>Validates the server chain against one CA only; host name checks still apply.</summary>
    private static RemoteCertificateValidationCallback? TrustAuthority(X509Certificate2? authority)
    {
        if (authority is null) return null;
        return (_, certificate, presented, errors) =>
        {
            if (certificate is null) return false;
            // Name mismatches and missing certificates are never forgiven; only the trust root is replaced.
            if ((errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None) return false;
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(authority);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            // Intermediates the server sent along may be needed to reach the authority.
            if (presented is not null)
            {
                foreach (var element in presented.ChainElements) chain.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
            using var leaf = new X509Certificate2(certificate);
            return chain.Build(leaf);
        };
    }

    private async Task HandshakeAsync(CancellationToken cancellationToken)
    {
        var setup = new List<RedisCommand>();
        if (_options.Protocol == 3)
        {
            // HELLO 3 switches the protocol and authenticates in one round trip (redis.io HELLO).
            var hello = new CommandBuilder("HELLO").Add("HELLO").Add(3);
            if (_options.Password is not null) hello.Add("AUTH").Add(_options.User ?? "default").Add(_options.Password);
            if (_options.ClientName is not null) hello.Add("SETNAME").Add(_options.ClientName);
            setup.Add(hello.Build());
        }
        else
        {
            if (_options.Password is not null)
            {
                setup.Add(_options.User is null
                    ? RedisCommand.Create("AUTH", "AUTH", _options.Password)
                    : RedisCommand.Create("AUTH", "AUTH", _options.User, _options.Password));
            }
            if (_options.ClientName is not null)
                setup.Add(RedisCommand.Create("CLIENT SETNAME", "CLIENT", "SETNAME", _options.ClientName));
        }
        if (_options.Database != 0)
            setup.Add(RedisCommand.Create("SELECT", "SELECT", _options.Database));
        if (setup.Count == 0) return;

        var replies = await SendBatchAsync(setup, _options.ConnectTimeout, cancellationToken).ConfigureAwait(false);
        for (int i = 0; i < replies.Length; i++)
        {
            var reply = await replies[i].WaitAsync(cancellationToken).ConfigureAwait(false);
            if (reply.IsError) throw new RedisServerException(setup[i].Name, reply.ToString());
        }
    }
}
