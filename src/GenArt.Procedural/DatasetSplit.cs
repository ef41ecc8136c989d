namespace GenArt.Procedural;

/// <summary>Which part of the seed space a sample comes from.</summary>
public enum DatasetSplit
{
    /// <summary>Seeds below <see cref="Dataset.HeldOutSeedStart"/>: the only seeds training may use.</summary>
    Training,
    /// <summary>Seeds from <see cref="Dataset.HeldOutSeedStart"/> up: evaluation prompts and scorer tests.</summary>
    HeldOut,
}
