namespace GenArt.Procedural;

/// <summary>Whether an image shows each attribute its prompt asked for.</summary>
public sealed record AdherenceScore(Scene Expected, ImageAnalysis Observed)
{
    public bool Background => Observed.Background == Expected.Background;

    public bool Foreground => Observed.Foreground == Expected.Foreground;

    /// <summary>The dominant detected shape is the requested one.</summary>
    public bool Shape => Observed.DominantShape == Expected.Shape;

    public bool Count => Observed.Count == Expected.Count;

    /// <summary>The detected objects sit where the layout puts them (see <see cref="AdherenceScorer.MatchesLayout"/>).</summary>
    public bool Layout => AdherenceScorer.MatchesLayout(Observed, Expected.Layout);

    public bool All => Background && Foreground && Shape && Count && Layout;
}
