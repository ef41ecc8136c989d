using System.Text.Json;
using GenArt.Diffusion.Schedulers;
using GenArt.Torch;
using GenArt.Torch.SafeTensors;

namespace GenArt.Diffusion.Tests.Schedulers;

/// <summary>One scheduler golden case: tests/fixtures/golden/schedulers/&lt;name&gt;.json + .safetensors.</summary>
internal sealed class SchedulerGolden : IDisposable
{
    private readonly SafeTensorsFile file;

    private SchedulerGolden(string name, JsonElement json, SafeTensorsFile file)
    {
        Name = name;
        this.file = file;
        ClassName = json.GetProperty("class").GetString()!;
        Steps = json.GetProperty("num_inference_steps").GetInt32();
        Config = SchedulerConfig.FromElement(json.GetProperty("config"));
        Eta = json.GetProperty("step_kwargs").TryGetProperty("eta", out var eta) ? eta.GetDouble() : 0.0;
        GeneratorSeed = json.GetProperty("generator_seed").ValueKind == JsonValueKind.Number
            ? json.GetProperty("generator_seed").GetUInt64() : null;
        NoiseDraws = json.GetProperty("num_noise_draws").GetInt32();
        IntegerTimesteps = json.GetProperty("timesteps_dtype").GetString() == "torch.int64";
        InitNoiseSigma = json.GetProperty("init_noise_sigma").GetDouble();
    }

    /// <summary>The seed of torch.randn(1, 4, 8, 8) that made the initial latent.</summary>
    public const ulong InitNoiseSeed = 16;

    public string Name { get; }
    public string ClassName { get; }
    public int Steps { get; }
    public SchedulerConfig Config { get; }
    public double Eta { get; }
    public ulong? GeneratorSeed { get; }
    public int NoiseDraws { get; }
    public bool IntegerTimesteps { get; }
    public double InitNoiseSigma { get; }

    public static string Directory => Path.Combine(RepoRoot(), "tests", "fixtures", "golden", "schedulers");

    /// <summary>The case names listed in index.json.</summary>
    public static IEnumerable<string> CaseNames()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Directory, "index.json")));
        return doc.RootElement.GetProperty("files").EnumerateArray().Select(e => e.GetString()!).ToArray();
    }

    /// <summary>runwayml SD 1.5's scheduler_config.json, the base of every case (index.json "base_config_SD1").</summary>
    public static SchedulerConfig Sd1Config()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Directory, "index.json")));
        return SchedulerConfig.FromElement(doc.RootElement.GetProperty("base_config_SD1"));
    }

    /// <summary>The goldens' stand-in UNet: 0.1·x_in + 0.01·(t/1000), in float32.</summary>
    public static Tensor ModelFn(Tensor xIn, float timestep) => xIn.mul(0.1).add(0.01 * ((double)timestep / 1000));

    public static SchedulerGolden Open(string name)
    {
        using var doc = SchedulerConfig.ParsePythonJson(File.ReadAllText(Path.Combine(Directory, name + ".json")));
        return new SchedulerGolden(name, doc.RootElement.Clone(), SafeTensorsFile.Open(Path.Combine(Directory, name + ".safetensors")));
    }

    /// <summary>Our factory id for the diffusers class of this case.</summary>
    public string FactoryName => ClassName switch
    {
        "DDIMScheduler" => "ddim",
        "PNDMScheduler" => "pndm",
        "EulerDiscreteScheduler" => "euler",
        "EulerAncestralDiscreteScheduler" => "euler-a",
        "DPMSolverMultistepScheduler" => Config.GetBool("use_karras_sigmas", false) ? "dpmpp-2m-karras" : "dpmpp-2m",
        "LCMScheduler" => "lcm",
        _ => throw new InvalidOperationException($"golden {Name}: unexpected class {ClassName}"),
    };

    public IScheduler CreateScheduler() =>
        Eta != 0 ? new DdimScheduler(Config, Eta) : SchedulerFactory.Create(FactoryName, Config);

    public bool Has(string key) => file.Contains(key);

    public Tensor Load(string key) => file.Load(key);

    public float[] Floats(string key)
    {
        using var t = file.Load(key);
        return t.dtype == torch.float32 ? t.data<float>() : t.to(torch.float32).data<float>();
    }

    public long[] Longs(string key)
    {
        using var t = file.Load(key);
        return t.data<long>();
    }

    public void Dispose() => file.Dispose();

    private static string RepoRoot() => RepoPaths.Root;
}
