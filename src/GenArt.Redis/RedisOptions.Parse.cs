using System.Globalization;

namespace GenArt.Redis;

public sealed partial class RedisOptions
{
    /// <summary>
    /// Parses <c>redis://[[user]:password@]host[:port][/db][?option=value&amp;...]</c>; <c>rediss://</c> turns on TLS.
    /// </summary>
    /// <remarks>
    /// Follows the IANA provisional "redis" and "rediss" URI schemes. User and password are percent-decoded;
    /// userinfo without a colon is taken as a password alone (the common <c>redis://secret@host</c> form).
    /// Options: <c>timeout</c> and <c>connectTimeout</c> (milliseconds), <c>protocol</c> (2 or 3), <c>name</c>,
    /// <c>maxBlockingConnections</c>.
    /// </remarks>
    /// <exception cref="FormatException">The string is not a valid Redis URI; the message names the part.</exception>
    public static RedisOptions Parse(string connectionString)
    {
        ArgumentNullException.ThrowIfNull(connectionString);
        var options = new RedisOptions();
        string rest;
        if (connectionString.StartsWith("redis://", StringComparison.OrdinalIgnoreCase))
        {
            rest = connectionString["redis://".Length..];
        }
        else if (connectionString.StartsWith("rediss://", StringComparison.OrdinalIgnoreCase))
        {
            rest = connectionString["rediss://".Length..];
            options.UseTls = true;
        }
        else
        {
            throw new FormatException("Redis connection string must start with 'redis://' or 'rediss://'.");
        }

        string? query = null;
        int q = rest.IndexOf('?');
        if (q >= 0)
        {
            query = rest[(q + 1)..];
            rest = rest[..q];
        }

        string? path = null;
        int slash = rest.IndexOf('/');
        if (slash >= 0)
        {
            path = rest[(slash + 1)..];
            rest = rest[..slash];
        }

        int at = rest.LastIndexOf('@');
        if (at >= 0)
        {
            ParseUserInfo(rest[..at], options);
            rest = rest[(at + 1)..];
        }

        ParseHostPort(rest, options);

        if (!string.IsNullOrEmpty(path))
        {
            if (!int.TryParse(path, NumberStyles.None, CultureInfo.InvariantCulture, out int db))
                throw new FormatException($"Redis connection string: database '{path}' is not a non-negative integer.");
            options.Database = db;
        }

        if (!string.IsNullOrEmpty(query)) ParseQuery(query, options);
        try
        {
            options.Validate();
        }
        catch (ArgumentException e)
        {
            throw new FormatException("Redis connection string: " + e.Message, e);
        }
        return options;
    }

    private static void ParseUserInfo(string userInfo, RedisOptions options)
    {
        int colon = userInfo.IndexOf(':');
        if (colon < 0)
        {
            options.Password = Decode(userInfo, "password");
            return;
        }
        string user = Decode(userInfo[..colon], "user");
        options.User = user.Length == 0 ? null : user;
        options.Password = Decode(userInfo[(colon + 1)..], "password");
    }

    private static void ParseHostPort(string hostPort, RedisOptions options)
    {
        string host;
        string? port = null;
        if (hostPort.StartsWith('['))
        {
            int close = hostPort.IndexOf(']');
            if (close < 0) throw new FormatException("Redis connection string: IPv6 host is missing its closing ']'.");
            host = hostPort[1..close];
            string after = hostPort[(close + 1)..];
            if (after.Length > 0)
            {
                if (after[0] != ':') throw new FormatException($"Redis connection string: unexpected '{after}' after the IPv6 host.");
                port = after[1..];
            }
        }
        else
        {
            int colon = hostPort.IndexOf(':');
            host = colon < 0 ? hostPort : hostPort[..colon];
            if (colon >= 0) port = hostPort[(colon + 1)..];
        }

        if (host.Length == 0) throw new FormatException("Redis connection string: host is missing.");
        options.Host = host;
        if (port is not null)
        {
            if (!int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out int p) || p is < 1 or > 65535)
                throw new FormatException($"Redis connection string: port '{port}' is not a number between 1 and 65535.");
            options.Port = p;
        }
    }

    private static void ParseQuery(string query, RedisOptions options)
    {
        foreach (string pair in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = pair.IndexOf('=');
            string key = eq < 0 ? pair : pair[..eq];
            string value = eq < 0 ? "" : Decode(pair[(eq + 1)..], key);
            switch (key.ToLowerInvariant())
            {
                case "timeout":
                    options.CommandTimeout = TimeSpan.FromMilliseconds(PositiveInt(key, value));
                    break;
                case "connecttimeout":
                    options.ConnectTimeout = TimeSpan.FromMilliseconds(PositiveInt(key, value));
                    break;
                case "protocol":
                    options.Protocol = PositiveInt(key, value);
                    break;
                case "name":
                    options.ClientName = value;
                    break;
                case "maxblockingconnections":
                    options.MaxBlockingConnections = PositiveInt(key, value);
                    break;
                default:
                    throw new FormatException($"Redis connection string: unknown option '{key}'.");
            }
        }
    }

    private static int PositiveInt(string key, string value)
    {
        if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int result) || result < 1)
            throw new FormatException($"Redis connection string: option '{key}' must be a positive integer but was '{value}'.");
        return result;
    }

    private static string Decode(string text, string what)
    {
        try
        {
            return Uri.UnescapeDataString(text);
        }
        catch (UriFormatException e)
        {
            throw new FormatException($"Redis connection string: {what} is not valid percent-encoding.", e);
        }
    }
}
