using System.CommandLine;
using System.Globalization;
using GenArt.Api.V1;
using GenArt.Diffusion.Training.FineTune;
using GenArt.Rpc;
using Google.Protobuf;

namespace GenArt.Cli;

/// <summary>
/// <c>genart finetune submit|watch|cancel</c>: LoRA fine-tunes on a server. Submit sends a folder of images (and
/// optional captions) with the training spec; watch follows a fine-tune with a progress bar and writes its previews.
/// </summary>
internal static class FineTuneRemoteCommands
{
    public static Command Create()
    {
        var finetune = new Command("finetune", "train LoRA adapters on a server: submit, watch, cancel");
        finetune.Subcommands.Add(Submit());
        finetune.Subcommands.Add(Watch());
        finetune.Subcommands.Add(Cancel());
        return finetune;
    }

    private static Command Submit()
    {
        var name = new Option<string>("--name") { Description = "the adapter to create: a-z, 0-9, '.', '_', '-' (1-64)", Required = true };
        var images = new Option<string>("--images") { Description = "folder of PNG/JPEG training images (3-1000)", Required = true };
        var captions = new Option<string?>("--captions") { Description = "JSON lines {\"file\": \"a.png\", \"caption\": \"...\"}; missing captions default to the trigger word" };
        var trigger = new Option<string?>("--trigger") { Description = "the trigger word (default: the adapter name)" };
        var model = new Option<string?>("--model") { Description = "the base model (default: the server's default model)" };
        var steps = new Option<uint>("--steps") { Description = "optimizer steps (default: 300)" };
        var rank = new Option<uint>("--rank") { Description = "LoRA rank, 1-128 (default: 8)" };
        var alpha = new Option<float>("--alpha") { Description = "LoRA alpha (default: the rank)" };
        var lr = new Option<float>("--lr") { Description = "AdamW learning rate (default: 1e-4)" };
        var batch = new Option<uint>("--batch") { Description = "images per step (default: 1)" };
        var resolution = new Option<uint>("--resolution") { Description = "training side in pixels (default: the model's native side)" };
        var seed = new Option<ulong?>("--seed") { Description = "training seed (default: the server picks one)" };
        var textEncoder = new Option<bool>("--text-encoder") { Description = "also adapt the text encoder's attention projections" };
        var priority = new Option<string>("--priority") { Description = "interactive or batch", DefaultValueFactory = _ => "interactive" };
        var idempotency = new Option<string?>("--idempotency-key") { Description = "a repeated submit with the same key returns the first fine-tune" };
        var watch = new Option<bool>("--watch") { Description = "follow the fine-tune after submitting it" };
        var previews = new Option<string?>("--previews") { Description = "with --watch: folder for the preview PNGs" };
        var server = RemoteCommands.ServerOption();
        var key = RemoteCommands.KeyOption();
        var command = new Command("submit", "submit a folder of images to train a LoRA adapter on the server");
        foreach (var o in new Option[] { name, images, captions, trigger, model, steps, rank, alpha, lr, batch, resolution, seed, textEncoder,
                     priority, idempotency, watch, previews, server, key })
            command.Options.Add(o);
        command.SetAction((r, ct) =>
        {
            List<FineTuneUpload> uploads;
            Priority level;
            try
            {
                level = ParsePriority(r.GetValue(priority)!);
                uploads = ReadFolder(r.GetValue(images)!, r.GetValue(captions));
            }
            catch (FineTuneInputException e)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return Task.FromResult(2);
            }
            string adapter = r.GetValue(name)!;
            var spec = new FineTuneSpec
            {
                AdapterName = adapter, BaseModel = r.GetValue(model) ?? "", Rank = r.GetValue(rank), Alpha = r.GetValue(alpha),
                Steps = r.GetValue(steps), LearningRate = r.GetValue(lr), BatchSize = r.GetValue(batch), Resolution = r.GetValue(resolution),
                TriggerWord = r.GetValue(trigger) ?? adapter, TrainTextEncoder = r.GetValue(textEncoder), Priority = level,
                IdempotencyKey = r.GetValue(idempotency) ?? "",
            };
            if (r.GetValue(seed) is ulong s) spec.Seed = s;
            return RemoteCommands.Run(r.GetValue(server)!, r.GetValue(key), async client =>
            {
                var wire = uploads.Select(u =>
                {
                    var image = new TrainingImage { Data = ByteString.CopyFrom(u.Bytes), Filename = u.FileName };
                    if (u.Caption is not null) image.Caption = u.Caption;
                    return image;
                });
                // Reported inline (not through Progress<T>, which posts to the thread pool), so it never prints after the result.
                var progress = new InlineProgress<int>(sent =>
                {
                    if (!Console.IsOutputRedirected) Console.Write($"\rupload {sent}/{uploads.Count} images");
                });
                var response = await FineTuneSubmission.SubmitAsync(client.Channel, client.Options(ct), spec, wire, progress, ct);
                if (!Console.IsOutputRedirected) Console.WriteLine();
                Console.WriteLine($"fine-tune {response.FineTuneId} queued: {response.ImageCount} images, {response.QueuePosition} ahead");
                if (r.GetValue(watch)) await WatchAsync(client, response.FineTuneId, 0, r.GetValue(previews), ct);
            });
        });
        return command;
    }

    private static Command Watch()
    {
        var id = new Argument<string>("id") { Description = "the fine-tune id" };
        var after = new Option<ulong>("--after") { Description = "only events after this sequence number" };
        var previews = new Option<string?>("--previews") { Description = "folder for the preview PNGs (per step, and the final pairs)" };
        var server = RemoteCommands.ServerOption();
        var key = RemoteCommands.KeyOption();
        var command = new Command("watch", "follow a fine-tune: progress, loss, ETA, and the previews at the end");
        command.Arguments.Add(id);
        foreach (var o in new Option[] { after, previews, server, key }) command.Options.Add(o);
        command.SetAction((r, ct) => RemoteCommands.Run(r.GetValue(server)!, r.GetValue(key),
            client => WatchAsync(client, r.GetValue(id)!, r.GetValue(after), r.GetValue(previews), ct)));
        return command;
    }

    private static Command Cancel()
    {
        var id = new Argument<string>("id") { Description = "the fine-tune id" };
        var server = RemoteCommands.ServerOption();
        var key = RemoteCommands.KeyOption();
        var command = new Command("cancel", "cancel a queued or running fine-tune");
        command.Arguments.Add(id);
        command.Options.Add(server);
        command.Options.Add(key);
        command.SetAction((r, ct) => RemoteCommands.Run(r.GetValue(server)!, r.GetValue(key), async client =>
        {
            var response = await client.Channel.UnaryAsync(RemoteClient.CancelFineTune, new FineTunesCancelRequest { FineTuneId = r.GetValue(id)! },
                client.Options(ct));
            Console.WriteLine(response.Cancelled ? $"cancelled {r.GetValue(id)}" : $"{r.GetValue(id)} had already finished");
        }));
        return command;
    }

    /// <summary>Follows a fine-tune to its end; the call's error status (failed, cancelled) is thrown.</summary>
    internal static async Task WatchAsync(RemoteClient client, string id, ulong after, string? previews, CancellationToken ct)
    {
        using var call = client.Channel.ServerStreaming(RemoteClient.WatchFineTune, new FineTunesWatchRequest { FineTuneId = id, AfterSequence = after },
            client.Options(ct));
        var bar = new TrainingProgressBar(Console.Out, interactive: !Console.IsOutputRedirected);
        try
        {
            await foreach (var e in call.ResponseStream.ReadAllAsync(ct))
            {
                switch (e.EventCase)
                {
                    case FineTunesWatchResponse.EventOneofCase.Queued:
                        Console.WriteLine($"queued, {e.Queued.QueuePosition} ahead");
                        break;
                    case FineTunesWatchResponse.EventOneofCase.Progress:
                        var p = e.Progress;
                        bar.Report(p.Step, p.Total, p.Loss);
                        if (previews is not null && p.HasPreviewPng) Write(previews, $"step-{p.Step:D6}.png", p.PreviewPng);
                        break;
                    case FineTunesWatchResponse.EventOneofCase.Completed:
                        bar.Finish();
                        var c = e.Completed;
                        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                            $"adapter {c.AdapterId} ready: final loss {c.FinalLoss:F4}, sha256 {c.Sha256}"));
                        if (previews is not null)
                        {
                            foreach (var pair in c.Previews)
                            {
                                Write(previews, $"seed-{pair.Seed}-base.png", pair.BasePng);
                                Write(previews, $"seed-{pair.Seed}-adapted.png", pair.AdaptedPng);
                            }
                            Console.WriteLine($"{c.Previews.Count} preview pair(s) written to {previews}");
                        }
                        break;
                }
            }
        }
        finally
        {
            bar.Finish();
        }
    }

    /// <summary>The folder's images and captions, checked here so a typo fails before any byte is sent.</summary>
    /// <exception cref="FineTuneInputException">The folder or the captions file is missing, or a captions line is bad.</exception>
    internal static List<FineTuneUpload> ReadFolder(string folder, string? captionsFile)
    {
        if (captionsFile is not null && !File.Exists(captionsFile))
            throw new FineTuneInputException("captions", $"{captionsFile}: no such file");
        return FineTuneCommands.ReadUploads(folder, captionsFile);
    }

    private static Priority ParsePriority(string text) => text.ToLowerInvariant() switch
    {
        "interactive" => Priority.Interactive,
        "batch" => Priority.Batch,
        _ => throw new FineTuneInputException("priority", $"'{text}' is neither interactive nor batch"),
    };

    private sealed class InlineProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }

    private static void Write(string folder, string file, ByteString png)
    {
        Directory.CreateDirectory(folder);
        File.WriteAllBytes(Path.Combine(folder, file), png.ToByteArray());
    }
}

/// <summary>
/// A one-line text progress bar for training: step/total, loss and the ETA from the pace seen so far. On a terminal it
/// redraws in place; redirected, it writes a line at each tenth of the run and at the end.
/// </summary>
public sealed class TrainingProgressBar(TextWriter output, bool interactive, TimeProvider? time = null)
{
    private const int Width = 30;
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private long? _firstStep;
    private long _startTimestamp;
    private long _lastTenth = -1;
    private bool _lineOpen;

    /// <summary>Shows step <paramref name="step"/> of <paramref name="total"/>.</summary>
    public void Report(long step, long total, double loss)
    {
        long now = _time.GetTimestamp();
        if (_firstStep is null)
        {
            _firstStep = step;
            _startTimestamp = now;
        }
        TimeSpan? eta = step > _firstStep && total >= step
            ? _time.GetElapsedTime(_startTimestamp, now) * ((double)(total - step) / (step - _firstStep.Value))
            : null;
        string line = Format(step, total, loss, eta);
        if (interactive)
        {
            output.Write("\r" + line);
            _lineOpen = true;
            return;
        }
        long tenth = total > 0 ? step * 10 / total : 0;
        if (tenth != _lastTenth || step == total)
        {
            _lastTenth = tenth;
            output.WriteLine(line);
        }
    }

    /// <summary>Ends the bar's line.</summary>
    public void Finish()
    {
        if (!_lineOpen) return;
        output.WriteLine();
        _lineOpen = false;
    }

    /// <summary>The bar's text: <c>[#####.....] 150/300 loss 0.1234 ETA 1:05</c>.</summary>
    public static string Format(long step, long total, double loss, TimeSpan? eta)
    {
        int filled = total > 0 ? (int)Math.Clamp(step * Width / total, 0, Width) : 0;
        string bar = new string('#', filled) + new string('.', Width - filled);
        string left = eta is { } e ? e.TotalHours >= 1 ? e.ToString(@"h\:mm\:ss", CultureInfo.InvariantCulture) : e.ToString(@"m\:ss", CultureInfo.InvariantCulture) : "--";
        return string.Create(CultureInfo.InvariantCulture, $"[{bar}] {step}/{total} loss {loss:F4} ETA {left}");
    }
}
