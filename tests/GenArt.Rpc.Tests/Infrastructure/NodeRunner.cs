using System.Diagnostics;
using System.Text.Json;

namespace GenArt.Rpc.Tests.Infrastructure;

/// <summary>Runs node scripts that use the pinned packages in tools/node/node_modules.</summary>
public static class NodeRunner
{
    public static string RepoRoot { get; } = FindRepoRoot();

    public static string InteropDir => Path.Combine(RepoRoot, "tests", "GenArt.Rpc.Tests", "interop");

    private static string FindRepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "GenArt.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("GenArt.sln not found above " + AppContext.BaseDirectory);
    }

    /// <summary>Fails the test (not skips) when the node tools are not installed.</summary>
    public static void RequireNodeModules()
    {
        var grpcJs = Path.Combine(RepoRoot, "tools", "node", "node_modules", "@grpc", "grpc-js", "package.json");
        if (!File.Exists(grpcJs))
            Assert.Fail($"@grpc/grpc-js is not installed ({grpcJs} missing). Run: npm ci --prefix tools/node");
    }

    public sealed record Result(int ExitCode, string Stdout, string Stderr, JsonElement? Verdict);

    public static async Task<Result> RunAsync(string script, IEnumerable<string> args, TimeSpan timeout)
    {
        var psi = new ProcessStartInfo("node")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = RepoRoot,
        };
        psi.ArgumentList.Add(script);
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException("could not start node");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await p.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            p.Kill(entireProcessTree: true);
            Assert.Fail($"node {Path.GetFileName(script)} {string.Join(' ', args)} timed out after {timeout}");
        }
        string output = await stdout;
        JsonElement? verdict = null;
        var last = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault(l => l.TrimStart().StartsWith('{'));
        if (last is not null)
        {
            try { verdict = JsonDocument.Parse(last).RootElement.Clone(); }
            catch (JsonException) { }
        }
        return new Result(p.ExitCode, output, await stderr, verdict);
    }
}
