using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using GenArt.Api.V1;
using GenArt.Cli;
using GenArt.Imaging;
using GenArt.Jobs;
using GenArt.Rpc;
using Google.Protobuf;

namespace GenArt.Server.Tests;

/// <summary>Fine-tune calls through real gRPC to a <see cref="TestServer"/>, training images, and views of what it stored.</summary>
internal static class FineTuneTestKit
{
    public const string Trigger = "zqacme";

    public static FineTuneSpec Spec(string name = "acme-style", Action<FineTuneSpec>? change = null)
    {
        var spec = new FineTuneSpec
        {
            AdapterName = name, BaseModel = TestServer.ModelName, Rank = 4, Alpha = 2, Steps = 20, LearningRate = 1e-3f, BatchSize = 2,
            Resolution = 16, Seed = 42, TriggerWord = Trigger, TrainTextEncoder = true, Priority = Priority.Batch,
        };
        change?.Invoke(spec);
        return spec;
    }

    /// <summary>A tiny RGB PNG whose pixels depend on <paramref name="variant"/>.</summary>
    public static byte[] Png(int variant, int width = 8, int height = 8)
    {
        var pixels = new byte[width * height * 3];
        for (int i = 0; i < pixels.Length; i++) pixels[i] = (byte)((i * (variant + 3) + variant * 17) % 251);
        return PngEncoder.Encode(new RasterImage(width, height, PixelFormat.Rgb8, pixels));
    }

    public static TrainingImage Image(string file, byte[] data, string? caption = null)
    {
        var image = new TrainingImage { Filename = file, Data = ByteString.CopyFrom(data) };
        if (caption is not null) image.Caption = caption;
        return image;
    }

    public static List<TrainingImage> Images(int count) => Enumerable.Range(0, count).Select(i => Image($"img{i}.png", Png(i))).ToList();

    /// <summary>
    /// A PNG whose IHDR claims <paramref name="width"/> x <paramref name="height"/> pixels (with a valid CRC), followed by
    /// an IDAT of 16 zero bytes and IEND: the header alone must refuse it.
    /// </summary>
    public static byte[] HeaderOnlyPng(int width, int height)
    {
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = 8; // bit depth
        ihdr[9] = 2; // RGB
        var png = new List<byte> { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A };
        png.AddRange(Chunk("IHDR", ihdr));
        using (var z = new MemoryStream())
        {
            using (var zs = new ZLibStream(z, CompressionLevel.Fastest, leaveOpen: true)) zs.Write(new byte[16]);
            png.AddRange(Chunk("IDAT", z.ToArray()));
        }
        png.AddRange(Chunk("IEND", []));
        return [.. png];
    }

    private static byte[] Chunk(string type, byte[] data)
    {
        var chunk = new byte[12 + data.Length];
        BinaryPrimitives.WriteInt32BigEndian(chunk, data.Length);
        Encoding.ASCII.GetBytes(type, chunk.AsSpan(4));
        data.CopyTo(chunk, 8);
        BinaryPrimitives.WriteUInt32BigEndian(chunk.AsSpan(8 + data.Length), Crc32(chunk.AsSpan(4, 4 + data.Length)));
        return chunk;
    }

    /// <summary>The CRC-32 PNG chunks carry (ISO 3309, reflected polynomial 0xEDB88320).</summary>
    private static uint Crc32(ReadOnlySpan<byte> bytes)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in bytes)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320 : crc >> 1;
        }
        return ~crc;
    }

    public static byte[] Gif() => [.. "GIF89a"u8, 1, 0, 1, 0, 0x80, 0, 0, 0, 0, 0, 255, 255, 255, (byte)';'];

    public static string FixturePath(string name)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "tests", "fixtures", "imaging", name);
            if (File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException("tests/fixtures/imaging/" + name);
    }

    public static Task<FineTunesSubmitResponse> SubmitAsync(this TestServer server, FineTuneSpec spec, IEnumerable<TrainingImage> images,
        string? key = null) =>
        FineTuneSubmission.SubmitAsync(server.Client.Channel, server.Options(key), spec, images);

    public static async Task<RpcException> RefusedSubmitAsync(this TestServer server, FineTuneSpec spec, IEnumerable<TrainingImage> images)
    {
        try
        {
            var response = await server.SubmitAsync(spec, images);
            Assert.Fail($"the submission was accepted: {response}");
            throw new InvalidOperationException("unreachable");
        }
        catch (RpcException e)
        {
            return e;
        }
    }

    /// <summary>A Submit stream of raw messages, for the orders the client helper never sends.</summary>
    public static async Task<RpcException> RefusedRawSubmitAsync(this TestServer server, params FineTunesSubmitRequest[] messages)
    {
        using var call = server.Client.Channel.ClientStreaming(RemoteClient.SubmitFineTune, server.Options());
        try
        {
            foreach (var m in messages) await call.RequestStream.WriteAsync(m);
            await call.RequestStream.CompleteAsync();
        }
        catch (Exception) when (call.ResponseAsync.IsCompleted)
        {
            // the server answered early; its status is below
        }
        var e = Assert.ThrowsAsync<RpcException>(async () => await call.ResponseAsync);
        return e!;
    }

    /// <summary>Every file and folder under the data directory's finetunes folder, relative to it.</summary>
    public static SortedSet<string> FineTuneEntries(this TestServer server)
    {
        string dir = Path.Combine(server.DataDir, "finetunes");
        if (!Directory.Exists(dir)) return [];
        return new SortedSet<string>(Directory.EnumerateFileSystemEntries(dir, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(dir, f)),
            StringComparer.Ordinal);
    }

    public static string SetFolder(this TestServer server, string id) => Path.Combine(server.DataDir, "finetunes", id, "set");

    /// <summary>Claims the next fine-tune entry from the server's queue, as a worker would.</summary>
    public static async Task<Claim> ClaimFineTuneAsync(this TestServer server)
    {
        var claim = await server.Server.Queue.ClaimAsync(EntryKind.FineTune, "test-trainer", TimeSpan.FromSeconds(10));
        Assert.That(claim, Is.Not.Null, "a fine-tune entry was queued");
        return claim!;
    }

    public static async Task<(List<FineTunesWatchResponse> Events, Status Status)> WatchAllAsync(this TestServer server, string id,
        ulong after = 0, string? key = null)
    {
        using var call = server.Client.Channel.ServerStreaming(RemoteClient.WatchFineTune,
            new FineTunesWatchRequest { FineTuneId = id, AfterSequence = after }, server.Options(key));
        var events = new List<FineTunesWatchResponse>();
        try
        {
            await foreach (var e in call.ResponseStream.ReadAllAsync()) events.Add(e);
            return (events, call.GetStatus());
        }
        catch (RpcException e)
        {
            return (events, e.Status);
        }
    }

    public static async Task<bool> CancelAsync(this TestServer server, string id, string? key = null) =>
        (await server.Client.Channel.UnaryAsync(RemoteClient.CancelFineTune, new FineTunesCancelRequest { FineTuneId = id }, server.Options(key))).Cancelled;
}
