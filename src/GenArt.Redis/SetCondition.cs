namespace GenArt.Redis;

/// <summary>When SET writes: always, only if the key is missing (NX) or only if it exists (XX).</summary>
public enum SetCondition
{
    Always,
    IfNotExists,
    IfExists,
}
