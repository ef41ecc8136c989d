namespace GenArt.Server.Tests;

public sealed partial class ServeProcessTests
{
    [Test]
    public async Task AdapterCommandsUploadListGetAndDelete()
    {
        await using var server = await TestServer.StartAsync();
        string file = Path.Combine(server.DataDir, "ink.safetensors");
        byte[] bytes = AdapterFiles.ValidKohya(seed: 5);
        File.WriteAllBytes(file, bytes);
        string[] remote = ["--server", $"127.0.0.1:{server.Server.Host.GrpcPort}", "--api-key", server.Key];

        var (code, stdout, stderr) = await RunAsync(["adapters", "upload", file, "--name", "ink-style", "--description", "brush ink", .. remote]);
        Assert.That(code, Is.Zero, stderr);
        Assert.That(stdout, Does.Contain("ink-style").And.Contain(AdapterTestKit.Sha256(bytes)).And.Contain("kohya, rank 4"));
        Assert.That((await server.Store().GetAsync("acme", "ink-style"))!.Description, Is.EqualTo("brush ink"));

        (code, stdout, stderr) = await RunAsync(["adapters", "list", .. remote]);
        Assert.That(code, Is.Zero, stderr);
        Assert.That(stdout, Does.Contain("ink-style").And.Contain("kohya"));

        (code, stdout, stderr) = await RunAsync(["adapters", "get", "ink-style", .. remote]);
        Assert.That(code, Is.Zero, stderr);
        Assert.That(stdout, Does.Contain(AdapterTestKit.Sha256(bytes)).And.Contain("brush ink"));

        (code, _, stderr) = await RunAsync(["adapters", "upload", file, "--name", "ink-style", .. remote]);
        Assert.That(code, Is.EqualTo(2));
        Assert.That(stderr, Does.Contain("ALREADY_EXISTS"));

        (code, _, stderr) = await RunAsync(["adapters", "upload", file, "--name", "../escape", .. remote]);
        Assert.That(code, Is.EqualTo(2));
        Assert.That(stderr, Does.Contain("INVALID_ARGUMENT").And.Contain("name:"));

        (code, stdout, stderr) = await RunAsync(["adapters", "delete", "ink-style", .. remote]);
        Assert.That(code, Is.Zero, stderr);
        Assert.That(await server.Store().GetAsync("acme", "ink-style"), Is.Null);
        Assert.That(server.AdapterFileNames(), Is.Empty);

        (code, _, stderr) = await RunAsync(["adapters", "get", "ink-style", .. remote]);
        Assert.That(code, Is.EqualTo(2));
        Assert.That(stderr, Does.Contain("NOT_FOUND"));
    }
}
