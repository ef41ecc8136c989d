using System.CommandLine;
using System.Diagnostics;
using GenArt.Diffusion.Pipelines;
using GenArt.Imaging;
using GenArt.Procedural;
using GenArt.Torch;

namespace GenArt.Cli;

/// <summary><c>genart eval-adherence</c>: how well a model follows the procedural grammar's prompts.</summary>
internal static class EvalAdherenceCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "the model to evaluate", DefaultValueFactory = _ => Defaults.ModelPath };
        var count = new Option<int>("--count") { Description = "held-out prompts to render", DefaultValueFactory = _ => 200 };
        var steps = new Option<int?>("--steps") { Description = "denoising steps (default: the model's)" };
        var scheduler = new Option<string?>("--scheduler") { Description = "scheduler (default: the model's)" };
        var guidance = new Option<double?>("--guidance") { Description = "guidance scale (default: the model's)" };
        var batch = new Option<int>("--batch") { Description = "prompts per batch", DefaultValueFactory = _ => 4 };
        var sheet = new Option<string?>("--contact-sheet") { Description = "write the first 16 renders as a 4x4 PNG, with their prompts in a .txt beside it" };
        var threads = new Option<int?>("--threads") { Description = "CPU threads (default: one per core)" };
        var misses = new Option<string?>("--misses") { Description = "write every image that missed an attribute to this folder, with misses.txt saying what was asked and what was seen" };
        var roundTrip = new Option<bool>("--vae-round-trip") { Description = "score the held-out images after a VAE encode and decode instead of renders: the ceiling the VAE sets" };
        var command = new Command("eval-adherence", "render held-out prompts and score each image against its prompt");
        foreach (var o in new Option[] { model, count, steps, scheduler, guidance, batch, sheet, threads, roundTrip, misses }) command.Options.Add(o);
        command.SetAction(r =>
        {
            torch.set_num_threads(r.GetValue(threads) ?? Environment.ProcessorCount);
            using var loaded = StableDiffusionModel.Load(r.GetValue(model)!);
            var options = new AdherenceEvaluation.Options(r.GetValue(count), r.GetValue(steps) ?? loaded.Defaults.Steps,
                r.GetValue(scheduler) ?? loaded.Defaults.Scheduler, r.GetValue(guidance) ?? loaded.Defaults.GuidanceScale, r.GetValue(batch));
            var timer = Stopwatch.StartNew();
            bool vaeOnly = r.GetValue(roundTrip);
            Action<int, int> progress = (done, total) => Console.Error.Write($"\r{(vaeOnly ? "round-tripped" : "rendered")} {done}/{total}");
            var (report, items) = vaeOnly
                ? AdherenceEvaluation.RunVaeRoundTrip(loaded, options.Count, progress)
                : AdherenceEvaluation.Run(new StableDiffusionPipeline(loaded), options, progress);
            Console.Error.WriteLine();
            Console.WriteLine(vaeOnly
                ? $"model {loaded.Name}: {report.Total} held-out images through its VAE (encode, decode), {timer.Elapsed.TotalSeconds:F1} s"
                : $"model {loaded.Name}: {report.Total} held-out prompts, {options.Steps} steps of {options.Scheduler}, guidance {options.Guidance}, {timer.Elapsed.TotalSeconds:F1} s");
            Console.WriteLine($"background colour {report.BackgroundAccuracy:P1}");
            Console.WriteLine($"foreground colour {report.ForegroundAccuracy:P1}");
            Console.WriteLine($"shape             {report.ShapeAccuracy:P1}");
            Console.WriteLine($"count             {report.CountAccuracy:P1}");
            Console.WriteLine("shapes, by what was asked for:");
            foreach (var line in report.ShapeBreakdown()) Console.WriteLine("  " + line);
            if (r.GetValue(sheet) is { } path) WriteSheet(path, items);
            if (r.GetValue(misses) is { } folder) AdherenceEvaluation.WriteMisses(folder, items);
            return 0;
        });
        return command;
    }

    private static void WriteSheet(string path, IReadOnlyList<AdherenceItem> items)
    {
        var first = items.Take(16).ToList();
        File.WriteAllBytes(path, PngEncoder.Encode(ContactSheet.Compose(first.Select(i => i.Image).ToList(), columns: 4)));
        File.WriteAllLines(Path.ChangeExtension(path, ".txt"), first.Select((item, n) => $"{n}\t{item.Seed}\t{item.Prompt}"));
    }
}
