namespace GenArt.Redis.Tests;

public sealed class RedisOptionsTests
{
    [Test]
    public void Host_alone_gets_defaults()
    {
        var o = RedisOptions.Parse("redis://cache.internal");
        Assert.That((o.Host, o.Port, o.Database, o.UseTls, o.User, o.Password), Is.EqualTo(("cache.internal", 6379, 0, false, (string?)null, (string?)null)));
    }

    [Test]
    public void User_password_port_and_database()
    {
        var o = RedisOptions.Parse("redis://alice:s3cret@10.0.0.5:6380/4");
        Assert.That((o.Host, o.Port, o.Database, o.User, o.Password), Is.EqualTo(("10.0.0.5", 6380, 4, "alice", "s3cret")));
    }

    [TestCase("redis://:pw@h", "pw")]
    [TestCase("redis://pw@h", "pw")]
    public void Password_only_forms_authenticate_the_default_user(string uri, string password)
    {
        var o = RedisOptions.Parse(uri);
        Assert.That(o.User, Is.Null);
        Assert.That(o.Password, Is.EqualTo(password));
    }

    [Test]
    public void Credentials_are_percent_decoded_and_may_contain_reserved_characters()
    {
        var o = RedisOptions.Parse("redis://us%40er:p%3Aw%2Fd%40@h:1");
        Assert.That((o.User, o.Password), Is.EqualTo(("us@er", "p:w/d@")));
    }

    [Test]
    public void Rediss_turns_on_tls()
    {
        var o = RedisOptions.Parse("rediss://secure.example:6390");
        Assert.That((o.UseTls, o.Host, o.Port), Is.EqualTo((true, "secure.example", 6390)));
    }

    [Test]
    public void Ipv6_hosts_in_brackets()
    {
        var o = RedisOptions.Parse("redis://[::1]:7000/2");
        Assert.That((o.Host, o.Port, o.Database, o.EndPoint), Is.EqualTo(("::1", 7000, 2, "[::1]:7000")));
    }

    [Test]
    public void Query_options_set_timeouts_protocol_and_name()
    {
        var o = RedisOptions.Parse("redis://h/1?timeout=250&connectTimeout=1500&protocol=3&name=worker-1&maxBlockingConnections=4");
        Assert.That(o.CommandTimeout, Is.EqualTo(TimeSpan.FromMilliseconds(250)));
        Assert.That(o.ConnectTimeout, Is.EqualTo(TimeSpan.FromMilliseconds(1500)));
        Assert.That((o.Protocol, o.ClientName, o.MaxBlockingConnections, o.Database), Is.EqualTo((3, "worker-1", 4, 1)));
    }

    [Test]
    public void Scheme_is_case_insensitive_and_trailing_slash_means_database_zero()
    {
        var o = RedisOptions.Parse("REDIS://h:1/");
        Assert.That((o.Host, o.Port, o.Database), Is.EqualTo(("h", 1, 0)));
    }

    [TestCase("http://h", "must start with 'redis://' or 'rediss://'")]
    [TestCase("h:6379", "must start with 'redis://' or 'rediss://'")]
    [TestCase("redis://", "host is missing")]
    [TestCase("redis://:pw@:6379", "host is missing")]
    [TestCase("redis://h:0", "port '0' is not a number between 1 and 65535")]
    [TestCase("redis://h:65536", "port '65536' is not a number between 1 and 65535")]
    [TestCase("redis://h:abc", "port 'abc' is not a number")]
    [TestCase("redis://h:", "port '' is not a number")]
    [TestCase("redis://h/x", "database 'x' is not a non-negative integer")]
    [TestCase("redis://h/-1", "database '-1' is not a non-negative integer")]
    [TestCase("redis://[::1:6379", "IPv6 host is missing its closing ']'")]
    [TestCase("redis://h?timeout=0", "option 'timeout' must be a positive integer but was '0'")]
    [TestCase("redis://h?protocol=4", "Protocol must be 2 or 3 but was 4")]
    [TestCase("redis://h?colour=blue", "unknown option 'colour'")]
    [TestCase("redis://alice:@h", "")]
    public void Bad_connection_strings_name_the_part_that_is_wrong(string uri, string message)
    {
        if (message.Length == 0)
        {
            // An empty password is legal (AUTH with an empty string); the parse must succeed.
            Assert.That(RedisOptions.Parse(uri).Password, Is.EqualTo(""));
            return;
        }
        var error = Assert.Throws<FormatException>(() => RedisOptions.Parse(uri));
        Assert.That(error!.Message, Does.Contain(message));
    }

    [Test]
    public void Validate_names_the_setting()
    {
        var error = Assert.Throws<ArgumentException>(() => new RedisOptions { CommandTimeout = TimeSpan.Zero }.Validate());
        Assert.That(error!.ParamName, Is.EqualTo("CommandTimeout"));
        error = Assert.Throws<ArgumentException>(() => new RedisOptions { User = "u" }.Validate());
        Assert.That(error!.ParamName, Is.EqualTo("Password"));
        error = Assert.Throws<ArgumentException>(() => new RedisOptions { MaxBlockingConnections = 0 }.Validate());
        Assert.That(error!.ParamName, Is.EqualTo("MaxBlockingConnections"));
    }
}
