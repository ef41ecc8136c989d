namespace GenArt.Jobs.Tests;

/// <summary>One broken field per case, with the path the error must name.</summary>
internal static class InvalidEntries
{
    internal static IEnumerable<TestCaseData> Cases()
    {
        yield return Case("Jobs", c => TestData.Entry(c) with { Jobs = [] });
        yield return Case("Batch.Key.Width", c => WithKey(c, k => k with { Width = 513 }));
        yield return Case("Batch.Key.Height", c => WithKey(c, k => k with { Height = 0 }));
        yield return Case("Batch.Key.Steps", c => WithKey(c, k => k with { Steps = 0 }));
        yield return Case("Batch.Key.Model", c => WithKey(c, k => k with { Model = " " }));
        yield return Case("Batch.Key.Scheduler", c => WithKey(c, k => k with { Scheduler = "" }));
        yield return Case("Batch.Key.Mode", c => WithKey(c, k => k with { Mode = (GenerationMode)9 }));
        yield return Case("Batch.InitImagePng", c => TestData.Entry(c) with
        {
            Batch = TestData.Batch(GenerationMode.ImageToImage) with { InitImagePng = [1, 2, 3] },
        }, "img2img without a PNG");
        yield return Case("Batch.InitImagePng", c => TestData.Entry(c) with
        {
            Batch = TestData.Batch() with { InitImagePng = TestData.TinyPng },
        }, "txt2img with an image");
        yield return Case("Batch.Strength", c => TestData.Entry(c) with
        {
            Batch = TestData.Batch(GenerationMode.ImageToImage) with { Strength = 1.5 },
        });
        yield return Case("Batch.ClipSkip", c => TestData.Entry(c) with { Batch = TestData.Batch() with { ClipSkip = -1 } });
        yield return Case("Kind", c => TestData.Entry(c) with { Kind = (EntryKind)7 });
        yield return Case("Jobs[0].Tenant", c => TestData.Entry(TestData.Job(c, tenant: "")));
        yield return Case("Jobs[0].Id", c => TestData.Entry(TestData.Job(c) with { Id = default }));
        yield return Case("Jobs[1].Priority", c =>
            TestData.Entry(TestData.Job(c), TestData.Job(c, priority: JobPriority.Batch)));
        yield return Case("Jobs[0].IdempotencyKey", c => TestData.Entry(TestData.Job(c, key: "")));
        yield return Case("Jobs[0].Samples", c => TestData.Entry(TestData.Job(c) with { Samples = [] }));
        yield return Case("Jobs[0].Samples[1].ImageIndex", c =>
            TestData.Entry(TestData.Job(c) with { Samples = [TestData.Sample(0), TestData.Sample(0)] }));
        yield return Case("Jobs[0].Samples[0].GuidanceScale", c =>
            TestData.Entry(TestData.Job(c) with { Samples = [TestData.Sample() with { GuidanceScale = double.NaN }] }));
        yield return Case("Jobs[0].Samples[0].Adapters[0].Name", c =>
            TestData.Entry(TestData.Job(c) with { Samples = [TestData.Sample() with { Adapters = [new AdapterRef("", 1)] }] }));
        yield return Case("FineTune", c => TestData.Entry(c) with { FineTune = TestData.FineTuneRun() }, "on a generate entry");
        yield return Case("Batch", c => TestData.FineTuneEntry(c) with { Batch = TestData.Batch() }, "on a fine-tune entry");
        yield return Case("FineTune", c => TestData.FineTuneEntry(c) with { FineTune = null }, "missing from a fine-tune entry");
        yield return Case("Jobs", c =>
        {
            var entry = TestData.FineTuneEntry(c);
            return entry with { Jobs = [entry.Jobs[0], TestData.Job(c, priority: JobPriority.Batch)] };
        }, "two jobs in a fine-tune entry");
        yield return Case("FineTune.AdapterName", c => WithRun(c, r => r with { AdapterName = "" }));
        yield return Case("FineTune.BaseModel", c => WithRun(c, r => r with { BaseModel = " " }));
        yield return Case("FineTune.Rank", c => WithRun(c, r => r with { Rank = 0 }));
        yield return Case("FineTune.Alpha", c => WithRun(c, r => r with { Alpha = double.NaN }));
        yield return Case("FineTune.Steps", c => WithRun(c, r => r with { Steps = 100_001 }));
        yield return Case("FineTune.LearningRate", c => WithRun(c, r => r with { LearningRate = 0 }));
        yield return Case("FineTune.BatchSize", c => WithRun(c, r => r with { BatchSize = 65 }));
        yield return Case("FineTune.Resolution", c => WithRun(c, r => r with { Resolution = 100 }));
        yield return Case("FineTune.TriggerWord", c => WithRun(c, r => r with { TriggerWord = "" }));
        yield return Case("FineTune.TrainingSet", c => WithRun(c, r => r with { TrainingSet = "../adapters" }), "a path");
        yield return Case("FineTune.TrainingSet", c => WithRun(c, r => r with { TrainingSet = ".." }), "the parent");
        yield return Case("FineTune.ImageCount", c => WithRun(c, r => r with { ImageCount = 0 }));
        yield return Case("FineTune.CheckpointEvery", c => WithRun(c, r => r with { CheckpointEvery = 0 }));
        yield return Case("FineTune.PreviewEvery", c => WithRun(c, r => r with { PreviewEvery = -1 }));
        yield return Case("Jobs[1].Id", c =>
        {
            var job = TestData.Job(c);
            return TestData.Entry(job, job with { IdempotencyKey = null });
        });
    }

    private static QueueEntry WithKey(TimeProvider clock, Func<BatchKey, BatchKey> change)
    {
        var entry = TestData.Entry(clock);
        return entry with { Batch = entry.GenerateBatch with { Key = change(entry.GenerateBatch.Key) } };
    }

    private static QueueEntry WithRun(TimeProvider clock, Func<FineTuneJobSpec, FineTuneJobSpec> change)
    {
        var entry = TestData.FineTuneEntry(clock);
        return entry with { FineTune = change(entry.FineTune!) };
    }

    private static TestCaseData Case(string field, Func<TimeProvider, QueueEntry> make, string? label = null) =>
        new TestCaseData(make, field).SetArgDisplayNames(label is null ? field : $"{field}, {label}");
}
