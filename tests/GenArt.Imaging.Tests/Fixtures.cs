using System.Buffers.Binary;
using System.Diagnostics;
using System.Text.Json;

namespace GenArt.Imaging.Tests;

internal static class Fixtures
{
    public static string Folder => Path.Combine(AppContext.BaseDirectory, "fixtures", "imaging");

    public static string PathOf(string name) => Path.Combine(Folder, name);

    public static byte[] Read(string name) => File.ReadAllBytes(PathOf(name));

    /// <summary>One U8 tensor from a safetensors file (8-byte little-endian header length, JSON header, data).</summary>
    public static (int[] Shape, byte[] Data) ReadU8Tensor(string name, string key)
    {
        var bytes = Read(name);
        long headerLength = BinaryPrimitives.ReadInt64LittleEndian(bytes);
        using var header = JsonDocument.Parse(bytes.AsMemory(8, (int)headerLength));
        var entry = header.RootElement.GetProperty(key);
        Assert.That(entry.GetProperty("dtype").GetString(), Is.EqualTo("U8"));
        var shape = entry.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        var offsets = entry.GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        return (shape, bytes.AsSpan((int)(8 + headerLength + offsets[0]), offsets[1] - offsets[0]).ToArray());
    }

    public static string TempFile(string extension) =>
        Path.Combine(Path.GetTempPath(), "genart-img-" + Guid.NewGuid().ToString("N") + extension);

    /// <summary>Runs pngcheck -v; fails the test with an install hint when the tool is missing.</summary>
    public static (int ExitCode, string Output) PngCheck(string path)
    {
        string? tool = new[] { "/usr/bin/pngcheck", "/usr/local/bin/pngcheck" }.FirstOrDefault(File.Exists);
        if (tool is null)
            Assert.Fail("pngcheck is not installed; these tests need it (apt-get install pngcheck).");
        var psi = new ProcessStartInfo(tool!, ["-v", path]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(30_000))
        {
            process.Kill();
            Assert.Fail("pngcheck did not finish within 30 s.");
        }
        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    /// <summary>Deterministic pseudo-random bytes (xorshift32), so failures reproduce.</summary>
    public static byte[] Noise(int length, uint seed)
    {
        var data = new byte[length];
        uint s = seed == 0 ? 1u : seed;
        for (int i = 0; i < length; i++)
        {
            s ^= s << 13;
            s ^= s >> 17;
            s ^= s << 5;
            data[i] = (byte)s;
        }
        return data;
    }
}
