namespace GenArt.Imaging;

/// <summary>
/// EXIF/TIFF tag 274 (Orientation) values: where the stored 0th row and 0th column are in the displayed image
/// (EXIF 2.32, section 4.6.4 A, "Orientation").
/// </summary>
public enum ExifOrientation
{
    /// <summary>Row 0 at the top, column 0 on the left: no change.</summary>
    Normal = 1,

    /// <summary>Row 0 at the top, column 0 on the right: mirror left-right.</summary>
    MirrorHorizontal = 2,

    /// <summary>Row 0 at the bottom, column 0 on the right: rotate 180°.</summary>
    Rotate180 = 3,

    /// <summary>Row 0 at the bottom, column 0 on the left: mirror top-bottom.</summary>
    MirrorVertical = 4,

    /// <summary>Row 0 on the left, column 0 at the top: transpose.</summary>
    Transpose = 5,

    /// <summary>Row 0 on the right, column 0 at the top: rotate 90° clockwise.</summary>
    Rotate90Clockwise = 6,

    /// <summary>Row 0 on the right, column 0 at the bottom: transverse.</summary>
    Transverse = 7,

    /// <summary>Row 0 on the left, column 0 at the bottom: rotate 90° counter-clockwise.</summary>
    Rotate90CounterClockwise = 8,
}
