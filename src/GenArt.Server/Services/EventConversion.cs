using System.Text.Json;
using GenArt.Api.V1;
using GenArt.Jobs;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using ApiJobState = GenArt.Api.V1.JobState;
using JobEvent = GenArt.Jobs.JobEvent;
using JobState = GenArt.Jobs.JobState;
using WireEvent = GenArt.Api.V1.JobEvent;

namespace GenArt.Server.Services;

/// <summary>Queue records to wire messages.</summary>
internal static class EventConversion
{
    /// <summary>The wire form of a non-terminal event; null for a terminal one (it becomes the call's status).</summary>
    public static WireEvent? ToWire(JobEvent e, bool deduplicated, DateTimeOffset? startedAt)
    {
        var wire = new WireEvent { JobId = e.JobId.Value, Sequence = (ulong)e.Sequence };
        switch (e.Body)
        {
            case JobAccepted a:
                wire.Accepted = new Accepted { QueuePosition = (uint)a.QueuePosition, Deduplicated = deduplicated };
                return wire;
            case JobProgress p:
                wire.Progress = new Progress { Step = (uint)p.Step, Total = (uint)p.TotalSteps };
                if (p.PreviewPng is { } preview) wire.Progress.PreviewPng = ByteString.CopyFrom(preview);
                return wire;
            case JobImage i:
                var metadata = Metadata(i.MetadataJson);
                if (startedAt is { } s) metadata.ElapsedMs = (ulong)Math.Max(0, (e.Timestamp - s).TotalMilliseconds);
                wire.Image = new Image { Png = ByteString.CopyFrom(i.Png), Index = (uint)i.Index, Seed = unchecked((ulong)i.Seed), Metadata = metadata };
                return wire;
            default:
                return null;
        }
    }

    /// <summary>The wire form of a fine-tune's non-terminal event; null for a terminal one (it becomes the call's status)
    /// and for events a fine-tune does not have.</summary>
    public static FineTunesWatchResponse? ToFineTuneWire(JobEvent e)
    {
        var wire = new FineTunesWatchResponse { FineTuneId = e.JobId.Value, Sequence = (ulong)e.Sequence };
        switch (e.Body)
        {
            case JobAccepted a:
                wire.Queued = new TrainingQueued { QueuePosition = (uint)a.QueuePosition };
                return wire;
            case TrainingStep s:
                wire.Progress = new TrainingProgress { Step = (uint)s.Step, Total = (uint)s.TotalSteps, Loss = (float)s.Loss };
                if (s.PreviewPng is { } preview) wire.Progress.PreviewPng = ByteString.CopyFrom(preview);
                return wire;
            case TrainingResult r:
                wire.Completed = new TrainingCompleted { AdapterId = r.AdapterName, FinalLoss = (float)r.FinalLoss, Sha256 = r.Sha256 };
                foreach (var p in r.Previews)
                {
                    wire.Completed.Previews.Add(new TrainingPreviewPair
                    {
                        Seed = unchecked((ulong)p.Seed), Prompt = p.Prompt, BasePng = ByteString.CopyFrom(p.BasePng),
                        AdaptedPng = ByteString.CopyFrom(p.AdaptedPng),
                    });
                }
                return wire;
            default:
                return null;
        }
    }

    /// <summary>The image's record (the PNG's genart chunk) as wire metadata.</summary>
    private static ImageMetadata Metadata(string json)
    {
        var m = new ImageMetadata();
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        m.Model = Str(root, "model");
        m.Prompt = Str(root, "prompt");
        m.NegativePrompt = Str(root, "negative_prompt");
        m.Width = (uint)Num(root, "width");
        m.Height = (uint)Num(root, "height");
        m.Steps = (uint)Num(root, "steps");
        m.Scheduler = Str(root, "scheduler");
        m.GuidanceScale = (float)Num(root, "guidance_scale");
        m.Strength = (float)Num(root, "strength");
        return m;
    }

    private static string Str(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()! : "";

    private static double Num(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : 0;

    public static Job ToJob(JobInfo info) => new()
    {
        JobId = info.Id.Value,
        State = info.State switch
        {
            JobState.Queued => ApiJobState.Queued,
            JobState.Running => ApiJobState.Running,
            JobState.Succeeded => ApiJobState.Succeeded,
            JobState.Cancelled => ApiJobState.Cancelled,
            _ => ApiJobState.Failed,
        },
        ImagesDone = (uint)info.ImagesReady,
        LastSequence = (ulong)info.LastSequence,
        CreatedAt = Timestamp.FromDateTimeOffset(info.CreatedAt),
        FinishedAt = info.FinishedAt is { } f ? Timestamp.FromDateTimeOffset(f) : null,
        ErrorCode = info.State is JobState.Failed or JobState.DeadLettered && info.LastError is { } err ? (int)StatusMapping.ToStatus(err.Code) : 0,
        ErrorMessage = info.State is JobState.Failed or JobState.DeadLettered ? info.LastError?.Message ?? "" : "",
    };
}
