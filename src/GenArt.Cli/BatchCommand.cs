using System.CommandLine;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using GenArt.Api.V1;
using GenArt.Rpc;
using Google.Protobuf;
using Spectre.Console;

namespace GenArt.Cli;

/// <summary>
/// <c>genart batch prompts.jsonl --out dir/</c>: one GenerateRequest per line (protobuf JSON, e.g.
/// <c>{"prompt": "...", "seed": 1, "steps": 20}</c>), rendered by a server with bounded concurrency.
/// </summary>
/// <remarks>
/// Resumable: a line whose PNGs exist is skipped, and each line is sent with an idempotency key derived from its
/// text, so a rerun after a crash attaches to a job the server already has instead of rendering it twice.
/// </remarks>
internal static class BatchCommand
{
    private sealed record Outcome(int Line, string Status, string Detail);

    public static Command Create()
    {
        var file = new Argument<string>("prompts") { Description = "JSON lines, one GenerateRequest each" };
        var output = new Option<string>("--out") { Description = "directory for the PNGs (line 7 -> 00007.png)", Required = true };
        var concurrency = new Option<int>("--concurrency") { Description = "requests in flight", DefaultValueFactory = _ => 4 };
        var server = new Option<string>("--server") { Description = "host:port of a genart server", DefaultValueFactory = _ => "127.0.0.1:50051" };
        var key = new Option<string?>("--api-key") { Description = "API key (default: $GENART_API_KEY)" };
        var command = new Command("batch", "render every line of a JSONL file on a server; rerun to resume");
        command.Arguments.Add(file);
        foreach (var o in new Option[] { output, concurrency, server, key }) command.Options.Add(o);
        command.SetAction((r, ct) => RunAsync(r.GetValue(file)!, r.GetValue(output)!, Math.Max(1, r.GetValue(concurrency)),
            r.GetValue(server)!, r.GetValue(key), ct));
        return command;
    }

    private static async Task<int> RunAsync(string file, string outDir, int concurrency, string server, string? apiKey, CancellationToken ct)
    {
        if (!File.Exists(file))
        {
            Console.Error.WriteLine($"error: {file} does not exist");
            return 2;
        }
        Directory.CreateDirectory(outDir);
        var lines = File.ReadAllLines(file).Select((text, i) => (Number: i + 1, Text: text.Trim())).Where(l => l.Text.Length > 0).ToList();
        using var client = new RemoteClient(server, RemoteClient.KeyFrom(apiKey));
        var outcomes = new List<Outcome>();
        int images = 0;
        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(lines, new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = ct }, async (line, token) =>
        {
            var outcome = await RenderLineAsync(client, line.Number, line.Text, outDir, token);
            lock (outcomes)
            {
                outcomes.Add(outcome.Result);
                images += outcome.Images;
            }
        });
        return Report(outcomes, images, clock.Elapsed);
    }

    private static async Task<(Outcome Result, int Images)> RenderLineAsync(RemoteClient client, int number, string text, string outDir, CancellationToken ct)
    {
        GenerateRequest request;
        try
        {
            request = JsonParser.Default.Parse<GenerateRequest>(text);
        }
        catch (Exception e) when (e is InvalidProtocolBufferException or InvalidJsonException or FormatException)
        {
            return (new Outcome(number, "BAD_LINE", e.Message), 0);
        }
        uint count = Math.Max(1, request.NumImages);
        var paths = Enumerable.Range(0, (int)count).Select(i => RemoteGenerate.PathFor(Path.Combine(outDir, $"{number:D5}.png"), i, count)).ToList();
        if (paths.All(File.Exists)) return (new Outcome(number, "SKIPPED", "already rendered"), 0);
        if (request.IdempotencyKey.Length == 0)
            request.IdempotencyKey = "batch-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{number}\n{text}")))[..32];
        using var call = client.Channel.ServerStreaming(RemoteClient.Generate, request, client.Options(ct));
        int written = 0;
        try
        {
            await foreach (var e in call.ResponseStream.ReadAllAsync(ct))
            {
                if (e.Image is null) continue;
                // Write then rename, so an interrupted run never leaves a half PNG that a rerun would skip.
                string path = paths[(int)e.Image.Index], temp = path + ".part";
                await File.WriteAllBytesAsync(temp, e.Image.Png.ToByteArray(), ct);
                File.Move(temp, path, overwrite: true);
                written++;
            }
            return (new Outcome(number, "OK", $"{written} image(s)"), written);
        }
        catch (RpcException e)
        {
            return (new Outcome(number, Server.ServerMetrics.StatusName(e.StatusCode), e.Status.Detail), written);
        }
    }

    private static int Report(List<Outcome> outcomes, int images, TimeSpan elapsed)
    {
        var failures = outcomes.Where(o => o.Status is not ("OK" or "SKIPPED")).OrderBy(o => o.Line).ToList();
        if (failures.Count > 0)
        {
            var table = new Table().AddColumns("line", "status", "message");
            foreach (var f in failures) table.AddRow(f.Line.ToString(), f.Status, Markup.Escape(f.Detail));
            AnsiConsole.Write(table);
        }
        var summary = new Table().AddColumns("rendered", "skipped", "failed", "images", "seconds", "images/s");
        summary.AddRow(outcomes.Count(o => o.Status == "OK").ToString(), outcomes.Count(o => o.Status == "SKIPPED").ToString(),
            failures.Count.ToString(), images.ToString(), elapsed.TotalSeconds.ToString("F1"),
            (images / Math.Max(elapsed.TotalSeconds, 1e-3)).ToString("F2"));
        AnsiConsole.Write(summary);
        return failures.Count == 0 ? 0 : 1;
    }
}
