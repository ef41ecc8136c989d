using System.Diagnostics;
using GenArt.Procedural;
using GenArt.Procedural.Scoring;

// Throughput of the training-data generator and of the adherence scorer, single-threaded:
//   dotnet run -c Release --project benchmarks/procedural -- [images=1000] [repeats=5]
// Each figure is the median of the repeats, over the same held-out seeds each time.
int images = args.Length > 0 ? int.Parse(args[0]) : 1000;
int repeats = args.Length > 1 ? int.Parse(args[1]) : 5;

var samples = new DatasetSample[images];
for (int i = 0; i < 50; i++) // JIT
{
    var warm = Dataset.Sample(Dataset.HeldOutSeed(i));
    AdherenceScorer.Score(warm.Image, warm.Scene);
}

var generate = new List<double>();
var score = new List<double>();
int matched = 0;
for (int r = 0; r < repeats; r++)
{
    var clock = Stopwatch.StartNew();
    for (int i = 0; i < images; i++) samples[i] = Dataset.Sample(Dataset.HeldOutSeed(i));
    generate.Add(clock.Elapsed.TotalMilliseconds);

    clock.Restart();
    matched = 0;
    for (int i = 0; i < images; i++)
        if (AdherenceScorer.Score(samples[i].Image, samples[i].Scene).Shape) matched++;
    score.Add(clock.Elapsed.TotalMilliseconds);
}

double Median(List<double> xs) => xs.Order().ElementAt(xs.Count / 2);
Console.WriteLine($"images: {images} held-out samples ({samples[0].Image.Width}x{samples[0].Image.Height}), median of {repeats} repeats, 1 thread");
Console.WriteLine($"generate (image + caption): {Median(generate):F0} ms, {Median(generate) * 1000 / images:F0} us per image, {images / Median(generate) * 1000:F0} images/s");
Console.WriteLine($"score (all four checks):    {Median(score):F0} ms, {Median(score) * 1000 / images:F0} us per image, {images / Median(score) * 1000:F0} images/s");
Console.WriteLine($"shape matched on the clean images: {matched}/{images}");
return 0;
