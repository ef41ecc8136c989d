using GenArt.Api.V1;
using GenArt.Cli;
using GenArt.Imaging;
using GenArt.Rpc;
using GenArt.Worker;

namespace GenArt.Integration.Tests;

/// <summary>
/// An adapter uploaded through one front end over Redis is used by a separate worker process: the registry lives in
/// Redis and the file in the shared data directory.
/// </summary>
[NonParallelizable]
public sealed class AdapterAcrossProcessesTests
{
    [Test, CancelAfter(240_000)]
    public async Task AWorkerProcessAppliesAnAdapterUploadedThroughAFrontEnd()
    {
        await using var cluster = new Cluster();
        await cluster.StartRedisAsync();
        var (_, port) = await cluster.StartServeAsync(0, "--coalesce-ms", "0");
        await cluster.StartWorkerAsync(null, "--data", cluster.Dir);
        var client = cluster.Client(port);

        byte[] file = await File.ReadAllBytesAsync(Path.Combine(Cluster.ModelPath, "..", "lora", "lora_kohya.safetensors"));
        using (var content = new MemoryStream(file))
        {
            var adapter = await AdapterUpload.UploadAsync(client.Channel, cluster.Options(), new AdapterUploadMetadata { Name = "brand-look" }, content);
            Assert.That(adapter.Name, Is.EqualTo("brand-look"));
        }

        var plain = await RenderAsync(client, cluster, withAdapter: false);
        var adapted = await RenderAsync(client, cluster, withAdapter: true);
        var record = ImageOutput.FromJson(PngTextReader.Read(adapted).Single(t => t.Keyword == PngTextEntry.GenArtKeyword).Text)!;
        Assert.That(record.Adapters, Is.Not.Null.And.Count.EqualTo(1), "the image's record names the adapter it was made with");
        Assert.That((record.Adapters![0].Name, record.Adapters[0].Scale), Is.EqualTo(("brand-look", 1.0)));
        Assert.That(record.Adapters[0].Sha256, Is.EqualTo(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(file))));
        var a = ImageDecoder.Decode(plain, "plain.png").Pixels;
        var b = ImageDecoder.Decode(adapted, "adapted.png").Pixels;
        Assert.That(a.AsSpan().SequenceEqual(b), Is.False, "the adapter changes the worker's image");
    }

    private static async Task<byte[]> RenderAsync(RemoteClient client, Cluster cluster, bool withAdapter)
    {
        var request = Cluster.Request("a red circle", steps: 4, seed: 11);
        if (withAdapter) request.Adapters.Add(new AdapterRef { Name = "brand-look", Scale = 1 });
        using var call = client.Channel.ServerStreaming(RemoteClient.Generate, request, cluster.Options());
        var (events, status) = await Cluster.DrainAsync(call);
        Assert.That(status.StatusCode, Is.EqualTo(StatusCode.OK), status.Detail);
        return events.Single(e => e.Image is not null).Image.Png.ToByteArray();
    }
}
