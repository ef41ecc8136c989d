using System.Diagnostics;
using System.Text.Json;

namespace GenArt.Server.Tests;

/// <summary>An independent client (@grpc/grpc-js from tools/node; run <c>npm ci --prefix tools/node</c>) against the server.</summary>
[NonParallelizable]
public sealed class NodeClientTests
{
    [Test]
    public async Task GrpcJsGeneratesAnImageAndIsRefusedWithoutAKey()
    {
        await using var server = await TestServer.StartAsync();
        string script = Path.Combine(Path.GetDirectoryName(TestServer.ModelPath)!, "..", "..", "GenArt.Server.Tests", "node", "generate_smoke.js");
        var info = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(Path.GetFullPath(script));
        info.ArgumentList.Add(server.Server.Host.GrpcPort.ToString());
        info.ArgumentList.Add(server.Key);
        using var node = Process.Start(info)!;
        var stdout = node.StandardOutput.ReadToEndAsync();
        string stderr = await node.StandardError.ReadToEndAsync();
        await node.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        Assert.That(node.ExitCode, Is.Zero, stderr + await stdout);

        using var result = JsonDocument.Parse(await stdout);
        var ok = result.RootElement.GetProperty("ok");
        Assert.That(ok.GetProperty("code").GetInt32(), Is.Zero, ok.GetProperty("details").GetString());
        var kinds = ok.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("kind").GetString()).ToList();
        Assert.That(kinds.First(), Is.EqualTo("accepted"));
        Assert.That(kinds.Count(k => k == "progress"), Is.EqualTo(3));
        var image = ok.GetProperty("events").EnumerateArray().Single(e => e.GetProperty("kind").GetString() == "image");
        Assert.That(image.GetProperty("png").GetInt32(), Is.GreaterThan(1000));
        Assert.That(image.GetProperty("seed").GetString(), Is.EqualTo("5"));
        Assert.That(result.RootElement.GetProperty("anonymous").GetProperty("code").GetInt32(), Is.EqualTo(16), "UNAUTHENTICATED");
    }
}
