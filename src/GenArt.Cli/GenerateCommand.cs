using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using GenArt.Diffusion.Pipelines;
using GenArt.Imaging;
using GenArt.Torch;
using GenArt.Worker;
using Spectre.Console;

namespace GenArt.Cli;

/// <summary><c>genart generate "prompt"</c>: renders in this process, no server needed.</summary>
internal static class GenerateCommand
{
    public static Command Create()
    {
        var prompt = new Argument<string>("prompt") { Description = "what to draw" };
        var model = new Option<string>("--model") { Description = "a diffusers folder or a single-file .safetensors checkpoint", DefaultValueFactory = _ => Defaults.ModelPath };
        var size = new Option<string>("--size") { Description = "WIDTHxHEIGHT, multiples of 8 (default: the model's native size)" };
        var steps = new Option<int?>("--steps") { Description = "denoising steps (1-200; default: the model's, usually 20)" };
        var scheduler = new Option<string?>("--scheduler") { Description = "ddim, pndm, euler, euler-a, dpmpp-2m, dpmpp-2m-karras, lcm (default: the model's)" };
        var seed = new Option<ulong?>("--seed") { Description = "noise seed (default: random); the same seed gives the same image" };
        var guidance = new Option<double?>("--guidance") { Description = "classifier-free guidance scale (default: the model's, usually 7.5)" };
        var negative = new Option<string>("--negative") { Description = "negative prompt", DefaultValueFactory = _ => "" };
        var init = new Option<string?>("--init") { Description = "img2img: an init image (PNG or JPEG) of the requested size" };
        var strength = new Option<double>("--strength") { Description = "img2img strength in (0, 1]", DefaultValueFactory = _ => 0.75 };
        var clipSkip = new Option<int>("--clip-skip") { Description = "text-encoder layers to skip from the end (0: none)", DefaultValueFactory = _ => 0 };
        var threads = new Option<int?>("--threads") { Description = "CPU threads (default: one per core)" };
        var device = new Option<string>("--device") { Description = "cpu or cuda:N", DefaultValueFactory = _ => "cpu" };
        var output = new Option<string>("-o", "--output") { Description = "the PNG to write", DefaultValueFactory = _ => "out.png" };
        var server = new Option<string?>("--server") { Description = "render on a genart server at host:port instead of in this process" };
        var apiKey = new Option<string?>("--api-key") { Description = "API key for --server (default: $GENART_API_KEY)" };
        var count = new Option<uint>("--num-images") { Description = "--server: images to make (out-0.png, out-1.png ...)", DefaultValueFactory = _ => 1 };

        var command = new Command("generate", "render an image from a prompt in this process");
        command.Arguments.Add(prompt);
        foreach (var o in new Option[] { model, size, steps, scheduler, seed, guidance, negative, init, strength, clipSkip, threads, device, output, server, apiKey, count })
            command.Options.Add(o);
        command.SetAction((r, ct) => r.GetValue(server) is { } address
            ? RunRemote(address, r.GetValue(apiKey), r.GetValue(count), new Request(
                r.GetValue(prompt)!, r.GetResult(model) is { Implicit: false } ? r.GetValue(model)! : "", r.GetValue(size), r.GetValue(steps),
                r.GetValue(scheduler), r.GetValue(seed), r.GetValue(guidance), r.GetValue(negative)!, r.GetValue(init), r.GetValue(strength),
                r.GetValue(clipSkip), r.GetValue(threads), r.GetValue(device)!, r.GetValue(output)!), ct)
            : Task.FromResult(Run(new Request(
            r.GetValue(prompt)!, r.GetValue(model)!, r.GetValue(size), r.GetValue(steps), r.GetValue(scheduler), r.GetValue(seed),
            r.GetValue(guidance), r.GetValue(negative)!, r.GetValue(init), r.GetValue(strength), r.GetValue(clipSkip),
            r.GetValue(threads), r.GetValue(device)!, r.GetValue(output)!))));
        return command;
    }

    /// <summary>What was asked; a null steps, scheduler or guidance takes the model's default.</summary>
    private sealed record Request(string Prompt, string Model, string? Size, int? Steps, string? Scheduler, ulong? Seed, double? Guidance,
        string Negative, string? Init, double Strength, int ClipSkip, int? Threads, string Device, string Output);

    /// <summary>The same request sent to a server; the model is a server-side name (empty: the server's default).</summary>
    private static Task<int> RunRemote(string server, string? apiKey, uint count, Request r, CancellationToken ct)
    {
        var request = new Api.V1.GenerateRequest
        {
            Model = r.Model, Prompt = r.Prompt, NegativePrompt = r.Negative, Steps = (uint)Math.Max(0, r.Steps ?? 0), Scheduler = r.Scheduler ?? "",
            NumImages = count,
        };
        // Left out, the server applies the model's own defaults.
        if (r.Guidance is double g) request.GuidanceScale = (float)g;
        try
        {
            if (r.Size is not null)
            {
                var (w, h) = ParseSize(r.Size, 0);
                (request.Width, request.Height) = ((uint)w, (uint)h);
            }
            if (r.Seed is ulong s) request.Seed = s;
            if (r.Init is not null)
            {
                request.Mode = Api.V1.GenerationMode.Img2Img;
                request.InitImage = Google.Protobuf.ByteString.CopyFrom(File.ReadAllBytes(r.Init));
                request.Strength = (float)r.Strength;
            }
        }
        catch (Exception e) when (e is ArgumentException or IOException)
        {
            Console.Error.WriteLine("error: " + e.Message);
            return Task.FromResult(2);
        }
        return RemoteGenerate.RunAsync(server, apiKey, request, r.Output, ct);
    }

    private static int Run(Request r)
    {
        try
        {
            torch.set_num_threads(r.Threads ?? Environment.ProcessorCount);
            var device = Device.Parse(r.Device);
            var dtype = device.Type == DeviceType.CUDA ? ScalarType.Float16 : ScalarType.Float32;
            var load = Stopwatch.StartNew();
            using var model = StableDiffusionModel.Load(r.Model, device, dtype);
            Console.Error.WriteLine($"loaded {model.Name} in {load.Elapsed.TotalSeconds:F1} s ({device}, {dtype})");

            var (width, height) = ParseSize(r.Size, model.NativeSide);
            int steps = r.Steps ?? model.Defaults.Steps;
            string scheduler = r.Scheduler ?? model.Defaults.Scheduler;
            double guidance = r.Guidance ?? model.Defaults.GuidanceScale;
            ulong seed = r.Seed ?? (ulong)Random.Shared.NextInt64(0, long.MaxValue);
            RgbImage? initImage = r.Init is null ? null : LoadInit(r.Init);
            var settings = new GenerationSettings
            {
                Width = width, Height = height, Steps = steps, Scheduler = scheduler, ClipSkip = r.ClipSkip,
                Mode = initImage is null ? GenerationMode.TextToImage : GenerationMode.ImageToImage, Strength = r.Strength,
            };
            var sample = new SampleRequest { Prompt = r.Prompt, NegativePrompt = r.Negative, Seed = seed, GuidanceScale = guidance, InitImage = initImage };
            var pipeline = new StableDiffusionPipeline(model);

            var timer = Stopwatch.StartNew();
            GenerationResult result = null!;
            AnsiConsole.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
                .Start(ctx =>
                {
                    var task = ctx.AddTask("denoising", maxValue: 1);
                    result = pipeline.Generate(settings, [sample], onStep: p =>
                    {
                        task.MaxValue = p.Total;
                        task.Value = p.Step;
                    })[0];
                    task.Value = task.MaxValue;
                });
            foreach (var w in result.Warnings) Console.Error.WriteLine("warning: " + w);

            var record = new GenerationRecord(r.Prompt, r.Negative, seed, guidance, steps, scheduler, width, height, model.Name,
                initImage is null ? "txt2img" : "img2img", initImage is null ? null : r.Strength, r.ClipSkip);
            File.WriteAllBytes(r.Output, ImageOutput.EncodePng(result.Image!, record));
            Console.WriteLine($"{r.Output}: {width}x{height}, seed {seed}, {steps} steps in {timer.Elapsed.TotalSeconds:F2} s");
            return 0;
        }
        catch (Exception e) when (e is ArgumentException or IOException or InvalidDataException or TorchException or ImageDecodeException)
        {
            Console.Error.WriteLine("error: " + e.Message);
            return 2;
        }
    }

    private static (int Width, int Height) ParseSize(string? text, int native)
    {
        if (string.IsNullOrEmpty(text)) return (native, native);
        var parts = text.ToLowerInvariant().Split('x');
        if (parts.Length != 2 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int w)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int h))
            throw new ArgumentException($"--size '{text}' is not WIDTHxHEIGHT, e.g. 512x512");
        return (w, h);
    }

    private static RgbImage LoadInit(string path)
    {
        var raster = ImageDecoder.DecodeFile(path);
        return RgbImage.Create(raster.Width, raster.Height, raster.Pixels);
    }
}

internal static class Defaults
{
    /// <summary>The embedded default model, shipped in models/ beside the repository or the installed binary.</summary>
    public static string ModelPath
    {
        get
        {
            foreach (var root in new[] { AppContext.BaseDirectory, Environment.CurrentDirectory })
            {
                for (var dir = new DirectoryInfo(root); dir is not null; dir = dir.Parent)
                {
                    string candidate = Path.Combine(dir.FullName, "models", "genart-tiny");
                    if (Directory.Exists(candidate)) return candidate;
                }
            }
            return Path.Combine("models", "genart-tiny");
        }
    }
}
