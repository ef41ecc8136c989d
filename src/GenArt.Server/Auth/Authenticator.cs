using GenArt.Rpc;
using GenArt.Rpc.Server;

namespace GenArt.Server.Auth;

/// <summary>Turns a call's <c>authorization: Bearer &lt;key&gt;</c> metadata into its tenant.</summary>
public sealed class Authenticator(ApiKeyStore keys)
{
    /// <summary>The caller's tenant.</summary>
    /// <exception cref="RpcException">UNAUTHENTICATED when the key is missing, malformed or unknown.</exception>
    public string Tenant(ServerCallContext context)
    {
        string? header = context.RequestHeaders.GetValue("authorization");
        if (header is null)
            throw new RpcException(StatusCode.Unauthenticated, "missing 'authorization: Bearer <api key>' metadata");
        const string scheme = "Bearer ";
        if (!header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
            throw new RpcException(StatusCode.Unauthenticated, "the authorization metadata must be 'Bearer <api key>'");
        return keys.Authenticate(header[scheme.Length..].Trim())
            ?? throw new RpcException(StatusCode.Unauthenticated, "the API key is not valid");
    }
}
