using GenArt.Api.V1;
using GenArt.Imaging;
using GenArt.Rpc;

namespace GenArt.Server.Tests;

/// <summary>
/// A fine-tune through the whole all-in-one server: Submit over gRPC, the in-process worker trains it from the queue,
/// Watch follows it to the adapter, and the submitting tenant renders with that adapter while other tenants are
/// unaffected.
/// </summary>
public sealed class FineTuneEndToEndTests
{
    private static async Task<byte[]> RenderAsync(TestServer server, string? key, string? adapter = null)
    {
        var request = TestServer.Request(prompt: $"{FineTuneTestKit.Trigger} a red circle", steps: 3, seed: 11);
        if (adapter is not null) request.Adapters.Add(new AdapterRef { Name = adapter, Scale = 1 });
        var (events, status) = await server.GenerateAllAsync(request, server.Options(key));
        Assert.That(status.StatusCode, Is.EqualTo(StatusCode.OK), status.Detail);
        return events.Single(e => e.EventCase == JobEvent.EventOneofCase.Image).Image.Png.ToByteArray();
    }

    [Test]
    public async Task A_submitted_fine_tune_is_trained_watched_registered_and_used_by_its_tenant_only()
    {
        await using var server = await TestServer.StartAsync();
        var otherBefore = await RenderAsync(server, server.OtherTenantKey);

        var spec = FineTuneTestKit.Spec("acme-e2e", s => { s.Steps = 6; s.Resolution = 32; s.Seed = 5; });
        var images = Enumerable.Range(0, 4).Select(i => FineTuneTestKit.Image($"b{i}.png", FineTuneTestKit.Png(i, 40, 40), "a red circle")).ToList();
        var submitted = await server.SubmitAsync(spec, images);
        Assert.That(submitted.ImageCount, Is.EqualTo(4));

        var (events, status) = await server.WatchAllAsync(submitted.FineTuneId);

        Assert.That(status.StatusCode, Is.EqualTo(StatusCode.OK), status.Detail);
        var steps = events.Where(e => e.EventCase == FineTunesWatchResponse.EventOneofCase.Progress).Select(e => e.Progress.Step).ToList();
        Assert.That(steps, Is.EqualTo(new uint[] { 1, 2, 3, 4, 5, 6 }));
        Assert.That(events.Select(e => e.Sequence), Is.EqualTo(Enumerable.Range(1, events.Count).Select(i => (ulong)i)), "gap-free");
        var completed = events.Last().Completed;
        Assert.That(completed.AdapterId, Is.EqualTo("acme-e2e"));
        Assert.That(completed.Sha256, Has.Length.EqualTo(64));
        Assert.That(completed.Previews, Has.Count.EqualTo(2));
        foreach (var pair in completed.Previews)
        {
            var basePixels = ImageDecoder.Decode(pair.BasePng.ToByteArray(), "base.png").Pixels;
            var adaptedPixels = ImageDecoder.Decode(pair.AdaptedPng.ToByteArray(), "adapted.png").Pixels;
            Assert.That(adaptedPixels, Is.Not.EqualTo(basePixels), $"preview '{pair.Prompt}' seed {pair.Seed}");
        }
        // The worker removes the training folder after it has published the end (a crash in between must still
        // find the set), so the folder goes shortly after the stream ends.
        Assert.That(await WithinAsync(() => server.FineTuneEntries().Count == 0, TimeSpan.FromSeconds(20)), Is.True,
            "the training folder is removed when the job ends");

        // The owner renders with it; the adapter changes the owner's image; other tenants cannot name it and their
        // renders stay byte for byte what they were.
        var plain = await RenderAsync(server, null);
        var styled = await RenderAsync(server, null, "acme-e2e");
        Assert.That(ImageDecoder.Decode(styled, "s.png").Pixels, Is.Not.EqualTo(ImageDecoder.Decode(plain, "p.png").Pixels));
        var refused = server.GenerateAllAsync(WithAdapter("acme-e2e"), server.Options(server.OtherTenantKey));
        Assert.That((await refused).Status.StatusCode, Is.EqualTo(StatusCode.NotFound));
        Assert.That(await RenderAsync(server, server.OtherTenantKey), Is.EqualTo(otherBefore));
    }

    /// <summary>True once <paramref name="condition"/> holds, checked every 20 ms; false when <paramref name="bound"/> passes first.</summary>
    private static async Task<bool> WithinAsync(Func<bool> condition, TimeSpan bound)
    {
        var deadline = DateTime.UtcNow + bound;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) return false;
            await Task.Delay(20);
        }
        return true;
    }

    private static GenerateRequest WithAdapter(string name)
    {
        var request = TestServer.Request(steps: 2);
        request.Adapters.Add(new AdapterRef { Name = name, Scale = 1 });
        return request;
    }
}
