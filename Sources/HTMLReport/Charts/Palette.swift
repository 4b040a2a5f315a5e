/// Colours of the report: a ten-colour categorical palette that stays
/// distinguishable for common colour-vision deficiencies and in greyscale
/// print, and fixed colours for emphasis.
public enum Palette {
    /// Tableau 10.
    public static let categorical = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
                                     "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"]
    /// Everything beyond the categorical colours ("other").
    public static let other = "#9a9a9a"
    /// Fitted lines and laws.
    public static let ink = "#222222"
    /// Flagged items, misses.
    public static let alert = "#d62728"
    /// Axis lines and labels; grid lines.
    public static let axis = "#555555"
    public static let grid = "#e6e6e6"

    /// The colour of category `index` (grey beyond the palette).
    public static func color(_ index: Int) -> String {
        index >= 0 && index < categorical.count ? categorical[index] : other
    }
}
