import Foundation

/// The item response function in mirt's slope-intercept form,
/// P = g + (1 − g) · σ(η) with η = a·θ + d, and its first two derivatives in η.
///
/// Every likelihood is written as a function of P; the chain rule through this
/// struct turns its μ-derivatives into η-derivatives, and η is linear in both
/// θ and (a, d), so one pair of η-derivatives serves the ability step and the
/// item step alike.
public struct ItemResponse {
    /// P(success).
    public var p: Double
    /// dP/dη = (1 − g) σ (1 − σ).
    public var slope: Double
    /// d²P/dη² = (1 − g) σ (1 − σ)(1 − 2σ).
    public var curvature: Double

    @inlinable
    public init(eta: Double, floor g: Double) {
        let s = sigmoid(eta)
        let v = s * (1 - s)
        p = g + (1 - g) * s
        slope = (1 - g) * v
        curvature = (1 - g) * v * (1 - 2 * s)
    }
}
