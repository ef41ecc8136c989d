using GenArt.Api.V1;
using GenArt.Rpc;
using Spectre.Console;

namespace GenArt.Cli;

/// <summary><c>genart generate --server</c>: the same request, rendered by a server; images stream back as PNGs.</summary>
internal static class RemoteGenerate
{
    public static async Task<int> RunAsync(string server, string? apiKey, GenerateRequest request, string output, CancellationToken ct)
    {
        using var client = new RemoteClient(server, RemoteClient.KeyFrom(apiKey));
        using var call = client.Channel.ServerStreaming(RemoteClient.Generate, request, client.Options(ct));
        var written = new List<string>();
        try
        {
            await AnsiConsole.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
                .StartAsync(async ctx =>
                {
                    var task = ctx.AddTask("queued", maxValue: 1);
                    await foreach (var e in call.ResponseStream.ReadAllAsync(ct))
                    {
                        switch (e.EventCase)
                        {
                            case JobEvent.EventOneofCase.Accepted:
                                task.Description = $"job {e.JobId} (position {e.Accepted.QueuePosition})";
                                break;
                            case JobEvent.EventOneofCase.Progress:
                                task.MaxValue = e.Progress.Total;
                                task.Value = e.Progress.Step;
                                break;
                            case JobEvent.EventOneofCase.Image:
                                string path = PathFor(output, (int)e.Image.Index, request.NumImages);
                                await File.WriteAllBytesAsync(path, e.Image.Png.ToByteArray(), ct);
                                written.Add($"{path}: seed {e.Image.Seed}");
                                break;
                        }
                    }
                    task.Value = task.MaxValue;
                });
        }
        catch (RpcException e)
        {
            Console.Error.WriteLine($"error: {ServerStatus(e)}");
            return e.StatusCode is StatusCode.InvalidArgument or StatusCode.NotFound or StatusCode.Unauthenticated ? 2 : 1;
        }
        foreach (var line in written) Console.WriteLine(line);
        return 0;
    }

    public static string ServerStatus(RpcException e) => $"{Server.ServerMetrics.StatusName(e.StatusCode)}: {e.Status.Detail}";

    /// <summary>out.png for one image; out-0.png, out-1.png ... for several.</summary>
    public static string PathFor(string output, int index, uint count)
    {
        if (count <= 1) return output;
        string ext = Path.GetExtension(output);
        return Path.Combine(Path.GetDirectoryName(output) ?? "", $"{Path.GetFileNameWithoutExtension(output)}-{index}{ext}");
    }
}
