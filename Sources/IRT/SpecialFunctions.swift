import Foundation

/// log Γ(x), ψ(x) and ψ'(x) evaluated together.
///
/// The Beta likelihood needs all three at the same two arguments for every
/// matrix entry, so they share one recurrence, written without branches so
/// the same formulas vectorise in the C kernels: always shift by six,
/// z = x + 6, where the asymptotic (Stirling / Bernoulli-number) series has
/// its first omitted term below 1e-10, and fold the six recurrence terms into
/// the polynomial P(x) = x(x+1)…(x+5):
/// Σ 1/(x+k) = P′/P, Σ 1/(x+k)² = (P′/P)² − P″/P, Σ log(x+k) = log P.
public struct GammaTerms {
    public var logGamma: Double
    public var digamma: Double
    public var trigamma: Double

    @inlinable
    public init(_ x: Double) {
        let p0 = (((((x + 15) * x + 85) * x + 225) * x + 274) * x + 120) * x
        let p1 = ((((6 * x + 75) * x + 340) * x + 675) * x + 548) * x + 120
        let p2 = (((30 * x + 300) * x + 1020) * x + 1350) * x + 548
        let z = x + 6
        let r = 1 / z
        let r2 = r * r
        let logZ = log(z)
        let s1 = p1 / p0
        let halfLogTwoPi = 0.918_938_533_204_672_741_78
        let series = r * (1.0 / 12 - r2 * (1.0 / 360 - r2 * (1.0 / 1260 - r2 / 1680)))
        logGamma = (z - 0.5) * logZ - z + halfLogTwoPi + series - log(p0)
        digamma = logZ - 0.5 * r
            - r2 * (1.0 / 12 - r2 * (1.0 / 120 - r2 * (1.0 / 252 - r2 * (1.0 / 240 - r2 / 132))))
            - s1
        trigamma = r + 0.5 * r2
            + r * r2 * (1.0 / 6 - r2 * (1.0 / 30 - r2 * (1.0 / 42 - r2 * (1.0 / 30 - r2 * 5.0 / 66))))
            + s1 * s1 - p2 / p0
    }
}

/// ψ(x), the digamma function, for x > 0.
@inlinable public func digamma(_ x: Double) -> Double { GammaTerms(x).digamma }

/// ψ'(x), the trigamma function, for x > 0.
@inlinable public func trigamma(_ x: Double) -> Double { GammaTerms(x).trigamma }

/// The logistic function, written so that neither tail overflows.
@inlinable public func sigmoid(_ x: Double) -> Double {
    x >= 0 ? 1 / (1 + exp(-x)) : { let e = exp(x); return e / (1 + e) }()
}

/// log(p / (1 − p)).
@inlinable public func logit(_ p: Double) -> Double { log(p / (1 - p)) }
