using System.Diagnostics;
using System.Text.RegularExpressions;
using GenArt.Imaging;
using GenArt.Worker;

namespace GenArt.Server.Tests;

/// <summary>The real <c>genart</c> binary: <c>keys create</c>, <c>serve</c> as a child process, then the client commands.</summary>
[NonParallelizable]
public sealed partial class ServeProcessTests
{
    private static readonly string Genart = Path.Combine(AppContext.BaseDirectory, "genart.dll");

    [Test]
    public async Task GenerateWithServerWritesAPngFromARunningServe()
    {
        string dir = Path.Combine(Path.GetTempPath(), "genart-serve-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            var (keyCode, keyOut, _) = await RunAsync("keys", "create", "--tenant", "acme", "--data", dir);
            Assert.That(keyCode, Is.Zero);
            string key = keyOut.Trim();
            Assert.That(key, Does.StartWith("ga_"));
            Assert.That(File.ReadAllText(Path.Combine(dir, "keys.json")), Does.Not.Contain(key.Split('_', 3)[2]), "only a hash is stored");

            using var serve = Start("serve", "--port", "0", "--metrics-port", "0", "--model", TestServer.ModelPath, "--data", dir);
            try
            {
                string port = await WaitForPortAsync(serve);
                string output = Path.Combine(dir, "out.png");
                var (code, stdout, stderr) = await RunAsync("generate", "a blue square", "--server", $"127.0.0.1:{port}", "--api-key", key,
                    "--model", TestServer.ModelName, "--size", "128x128", "--steps", "4", "--scheduler", "ddim", "--seed", "11", "-o", output);
                Assert.That(code, Is.Zero, stderr);
                Assert.That(stdout, Does.Contain("seed 11"));
                byte[] png = File.ReadAllBytes(output);
                var record = ImageOutput.FromJson(PngTextReader.Read(png).Single(t => t.Keyword == PngTextEntry.GenArtKeyword).Text)!;
                Assert.That((record.Prompt, record.Seed, record.Steps, record.Width), Is.EqualTo(("a blue square", 11UL, 4, 128)));

                var (modelsCode, models, _) = await RunAsync("models", "--server", $"127.0.0.1:{port}", "--api-key", key);
                Assert.That(modelsCode, Is.Zero);
                Assert.That(models, Does.Contain(TestServer.ModelName));

                var (badCode, _, badErr) = await RunAsync("models", "--server", $"127.0.0.1:{port}", "--api-key", "ga_0_wrong");
                Assert.That(badCode, Is.EqualTo(2));
                Assert.That(badErr, Does.Contain("UNAUTHENTICATED"));

                // SIGTERM (what a service manager sends) stops serve cleanly.
                using (var term = Process.Start("kill", ["-TERM", serve.Id.ToString()])) await term.WaitForExitAsync();
                await serve.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
                Assert.That(serve.ExitCode, Is.Zero);
            }
            finally
            {
                if (!serve.HasExited) serve.Kill(entireProcessTree: true);
                await serve.WaitForExitAsync();
            }
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Test]
    public async Task BatchRendersEachLineListsFailuresAndResumes()
    {
        await using var server = await TestServer.StartAsync();
        string dir = Path.Combine(server.DataDir, "batch");
        Directory.CreateDirectory(dir);
        string prompts = Path.Combine(server.DataDir, "prompts.jsonl");
        File.WriteAllLines(prompts,
        [
            """{"prompt": "first", "steps": 3, "scheduler": "ddim", "width": 128, "height": 128, "seed": 1}""",
            """{"prompt": "second", "steps": 3, "scheduler": "ddim", "numImages": 2, "seed": 2}""",
            """{"prompt": "too wide", "steps": 3, "width": 130}""",
            """{"prompt": """,
        ]);
        string[] args = ["batch", prompts, "--out", dir, "--concurrency", "3", "--server", $"127.0.0.1:{server.Server.Host.GrpcPort}", "--api-key", server.Key];
        var (code, stdout, stderr) = await RunAsync(args);
        Assert.That(code, Is.EqualTo(1), stderr);
        Assert.That(stdout, Does.Contain("INVALID_ARGUMENT").And.Contain("BAD_LINE"));
        Assert.That(Directory.GetFiles(dir).Select(Path.GetFileName).Order(), Is.EqualTo(new[] { "00001.png", "00002-0.png", "00002-1.png" }));
        var written = File.GetLastWriteTimeUtc(Path.Combine(dir, "00001.png"));

        var (again, _, _) = await RunAsync(args);
        Assert.That(again, Is.EqualTo(1), "the bad lines still fail");
        Assert.That(File.GetLastWriteTimeUtc(Path.Combine(dir, "00001.png")), Is.EqualTo(written), "a rendered line is skipped on resume");
        Assert.That(server.Server.Metrics.Requests("Generate", "OK"), Is.EqualTo(2), "the rerun sent no request for rendered lines");
    }

    private static Process Start(params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Genart);
        foreach (var a in args) info.ArgumentList.Add(a);
        return Process.Start(info)!;
    }

    private static async Task<(int Code, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        using var process = Start(args);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        return (process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Reads serve's stdout until its "serving ... on host:port" line.</summary>
    private static async Task<string> WaitForPortAsync(Process serve)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (await serve.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
        {
            var match = ServingLine().Match(line);
            if (match.Success) return match.Groups[1].Value;
        }
        throw new AssertionException("serve exited before serving: " + await serve.StandardError.ReadToEndAsync());
    }

    [GeneratedRegex(@"^serving .* on [0-9.]+:(\d+) ")]
    private static partial Regex ServingLine();
}
