using System.Diagnostics;

namespace GenArt.Integration.Tests;

/// <summary><c>genart worker</c> and <c>genart serve --redis</c> refuse bad options with a message naming the option.</summary>
public sealed class CommandLineTests
{
    [TestCase("worker", "--model-dir", "MODEL", Description = "no --redis", ExpectedResult = "--redis")]
    [TestCase("worker", "--redis", "http://127.0.0.1:6379", "--model-dir", "MODEL", ExpectedResult = "--redis")]
    [TestCase("worker", "--redis", "redis://127.0.0.1:1", "--model-dir", "MODEL", "--grace-period", "soon", ExpectedResult = "--grace-period")]
    [TestCase("worker", "--redis", "redis://127.0.0.1:1", "--model-dir", "MODEL", "--threads", "0", ExpectedResult = "--threads")]
    [TestCase("worker", "--redis", "redis://127.0.0.1:1", "--model-dir", "MODEL", "--device", "gpu", ExpectedResult = "--device")]
    [TestCase("worker", "--redis", "redis://127.0.0.1:1", "--model-dir", "/no/such/model", ExpectedResult = "--model-dir")]
    [TestCase("worker", "--redis", "redis://127.0.0.1:1", "--model-dir", "MODEL", "--kinds", "generate,train", ExpectedResult = "--kinds")]
    [TestCase("worker", "--redis", "redis://127.0.0.1:1", "--model-dir", "MODEL", "--kinds", ",", ExpectedResult = "--kinds")]
    [TestCase("serve", "--redis", "redis://127.0.0.1:1", "--model", "MODEL", "--visibility-timeout", "0s", ExpectedResult = "--visibility-timeout")]
    [TestCase("serve", "--redis", "redis://127.0.0.1:1", "--model", "MODEL", "--max-deliveries", "0", ExpectedResult = "--max-deliveries")]
    public async Task<string> ABadOptionIsRefusedNamingIt(params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "genart.dll"));
        foreach (var a in args) info.ArgumentList.Add(a == "MODEL" ? Cluster.ModelPath : a);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        string error = await stderr;
        Assert.That(process.ExitCode, Is.Not.Zero, await stdout);
        var line = error.Split('\n').FirstOrDefault(l => l.Contains("--", StringComparison.Ordinal)) ?? "";
        Assert.That(line, Does.Not.Contain("   at "), "an error message, not a stack trace");
        // The option the message names: the first --option in it.
        var named = System.Text.RegularExpressions.Regex.Match(line, "--[a-z-]+");
        return named.Success ? named.Value : error;
    }
}
