using System.Text.Json;

namespace GenArt.Jobs.Tests;

public sealed class JsonTests
{
    private static readonly JsonSerializerOptions Reflection = new(JsonSerializerDefaults.Web);

    [Test]
    public void An_entry_survives_the_source_generated_serializer_whole()
    {
        var clock = new FakeTimeProvider();
        var entry = TestData.Entry(TestData.Job(clock, key: "k", deadline: clock.GetUtcNow().AddMinutes(5), samples: 2))
            with { Batch = TestData.Batch(GenerationMode.ImageToImage) with { ClipSkip = 2 } };

        var json = JsonSerializer.Serialize(entry, JobsJsonContext.Default.QueueEntry);
        var back = JsonSerializer.Deserialize(json, JobsJsonContext.Default.QueueEntry)!;

        Assert.That(json, Does.Contain("\"mode\":\"ImageToImage\"").And.Contain("\"priority\":\"Interactive\""));
        Assert.That(json, Does.Contain($"\"id\":\"{entry.Jobs[0].Id}\""));
        Assert.That(json, Does.Not.Contain("sampleCount").And.Not.Contain("generateBatch").And.Not.Contain("fineTune"));
        Assert.That(back.GenerateBatch.InitImagePng, Is.EqualTo(TestData.TinyPng));
        Assert.That(back.GenerateBatch.Key, Is.EqualTo(entry.GenerateBatch.Key));
        Assert.That(back.Jobs[0] with { Samples = [] }, Is.EqualTo(entry.Jobs[0] with { Samples = [] }));
        Assert.That(back.Jobs[0].Samples[1] with { Adapters = [] }, Is.EqualTo(entry.Jobs[0].Samples[1] with { Adapters = [] }));
        Assert.That(back.Jobs[0].Samples[1].Adapters, Is.EqualTo(entry.Jobs[0].Samples[1].Adapters));
        Assert.That(JsonSerializer.Serialize(back, JobsJsonContext.Default.QueueEntry), Is.EqualTo(json));
    }

    private static IEnumerable<JobEventBody> Bodies()
    {
        yield return new JobAccepted(3);
        yield return new JobProgress(4, 20, [1, 2, 3]);
        yield return new JobImage(1, [9, 8], 77, "{\"seed\":77}");
        yield return new TrainingStep(12, 300, 0.0625, [4, 5]);
        yield return new TrainingResult("acme-style", new string('f', 64), 0.03125, [new TrainingPreview(9, "acmestyle", [1], [2])]);
        yield return new JobCompleted();
        yield return new JobFailed(JobErrorCode.ResourceExhausted, "out of memory");
        yield return new JobCancelled();
    }

    [TestCaseSource(nameof(Bodies))]
    public void Every_event_body_keeps_its_type_through_both_serializers(JobEventBody body)
    {
        var e = new JobEvent(JobId.New(), 5, new DateTimeOffset(2026, 3, 4, 5, 6, 7, TimeSpan.Zero), body);

        var generated = JsonSerializer.Serialize(e, JobsJsonContext.Default.JobEvent);
        var viaGenerated = JsonSerializer.Deserialize(generated, JobsJsonContext.Default.JobEvent)!;
        var viaReflection = JsonSerializer.Deserialize<JobEvent>(JsonSerializer.Serialize(e, Reflection), Reflection)!;

        foreach (var back in new[] { viaGenerated, viaReflection })
        {
            Assert.That((back.JobId, back.Sequence, back.Timestamp), Is.EqualTo((e.JobId, e.Sequence, e.Timestamp)));
            Assert.That(back.Body.GetType(), Is.EqualTo(body.GetType()));
            Assert.That(back.Body.DedupKey, Is.EqualTo(body.DedupKey));
            Assert.That(JsonSerializer.Serialize(back, JobsJsonContext.Default.JobEvent), Is.EqualTo(generated));
        }
        Assert.That(generated, Does.Contain("\"type\":"));
        Assert.That(generated, Does.Not.Contain("isTerminal").And.Not.Contain("dedupKey"));
    }

    [Test]
    public void Job_info_round_trips()
    {
        var info = new JobInfo(JobId.New(), "acme", JobState.DeadLettered, JobPriority.Batch, "1-0", 3,
            DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch.AddSeconds(1), DateTimeOffset.UnixEpoch.AddSeconds(2),
            "gpu-1", new JobError(JobErrorCode.Unavailable, "lost"), 4, 2, 9);

        var back = JsonSerializer.Deserialize(JsonSerializer.Serialize(info, JobsJsonContext.Default.JobInfo),
            JobsJsonContext.Default.JobInfo);

        Assert.That(back, Is.EqualTo(info));
    }

    [Test]
    public void A_malformed_job_id_is_a_json_error()
    {
        Assert.That(() => JsonSerializer.Deserialize("\"not-an-id\"", JobsJsonContext.Default.Options.GetTypeInfo(typeof(JobId))),
            Throws.TypeOf<JsonException>().With.Message.Contains("not a job id"));
    }
}
