namespace GenArt.Jobs.Internal;

/// <summary>Rules for events a worker publishes.</summary>
internal static class EventValidator
{
    internal static void Validate(JobEventBody? body)
    {
        switch (body)
        {
            case null:
                throw Errors.Invalid("body", "is required");
            case JobAccepted:
                throw Errors.AcceptedIsQueueOwned();
            case JobProgress p when p.TotalSteps < 1:
                throw Errors.Invalid("body.TotalSteps", $"must be at least 1, not {p.TotalSteps}");
            case JobProgress p when p.Step < 1 || p.Step > p.TotalSteps:
                throw Errors.Invalid("body.Step", $"must be in 1..{p.TotalSteps}, not {p.Step}");
            case JobImage i when i.Index < 0:
                throw Errors.Invalid("body.Index", $"must not be negative, not {i.Index}");
            case JobImage i when i.Png is null || i.Png.Length == 0:
                throw Errors.Invalid("body.Png", "must hold the PNG bytes");
            case JobImage i when i.MetadataJson is null:
                throw Errors.Invalid("body.MetadataJson", "is required");
            case TrainingStep t when t.TotalSteps < 1:
                throw Errors.Invalid("body.TotalSteps", $"must be at least 1, not {t.TotalSteps}");
            case TrainingStep t when t.Step < 1 || t.Step > t.TotalSteps:
                throw Errors.Invalid("body.Step", $"must be in 1..{t.TotalSteps}, not {t.Step}");
            case TrainingStep t when !double.IsFinite(t.Loss):
                throw Errors.Invalid("body.Loss", $"must be finite, not {t.Loss}");
            case TrainingResult r when string.IsNullOrEmpty(r.AdapterName):
                throw Errors.Invalid("body.AdapterName", "is required");
            case TrainingResult r when r.Sha256 is not { Length: 64 }:
                throw Errors.Invalid("body.Sha256", "must be 64 hex digits");
            case TrainingResult r when r.Previews is null || r.Previews.Any(p => p is null || p.BasePng is not { Length: > 0 } || p.AdaptedPng is not { Length: > 0 }):
                throw Errors.Invalid("body.Previews", "must hold both PNGs of every pair");
            case JobFailed f when !Enum.IsDefined(f.Code):
                throw Errors.Invalid("body.Code", $"'{f.Code}' is not a known error code");
            case JobFailed f when string.IsNullOrEmpty(f.Message):
                throw Errors.Invalid("body.Message", "must say what failed");
        }
    }

    internal static void Validate(IReadOnlyList<(JobId JobId, JobEventBody Body)>? events)
    {
        if (events is null)
            throw Errors.Invalid("events", "is required");
        for (var i = 0; i < events.Count; i++)
        {
            try
            {
                Validate(events[i].Body);
            }
            catch (JobValidationException e)
            {
                throw Errors.Invalid($"events[{i}].{e.Field}", e.Rule);
            }
        }
    }

    internal static void Validate(JobError? error)
    {
        if (error is null)
            throw Errors.Invalid("error", "is required");
        if (!Enum.IsDefined(error.Code))
            throw Errors.Invalid("error.Code", $"'{error.Code}' is not a known error code");
        if (string.IsNullOrEmpty(error.Message))
            throw Errors.Invalid("error.Message", "must say what failed");
    }
}
