import Foundation

/// log Γ(x), ψ(x) and ψ'(x) evaluated together.
///
/// The Beta likelihood needs all three at the same two arguments for every
/// matrix entry, so they share one recurrence: shift `x` up to `z ≥ 6` with
/// ψ(x) = ψ(x+1) − 1/x (and the matching identities for log Γ and ψ'), then
/// use the asymptotic (Stirling / Bernoulli-number) series, whose first
/// omitted term is below 1e-10 relative at `z = 6`. The shift's logarithms
/// collapse into one `log` of a product.
public struct GammaTerms {
    public var logGamma: Double
    public var digamma: Double
    public var trigamma: Double

    @inlinable
    public init(_ x: Double) {
        var z = x
        var product = 1.0
        var digammaShift = 0.0
        var trigammaShift = 0.0
        while z < 6 {
            product *= z
            let r = 1 / z
            digammaShift += r
            trigammaShift += r * r
            z += 1
        }
        let r = 1 / z
        let r2 = r * r
        let logZ = log(z)
        let halfLogTwoPi = 0.918_938_533_204_672_741_78
        let series = r * (1.0 / 12 - r2 * (1.0 / 360 - r2 * (1.0 / 1260 - r2 / 1680)))
        logGamma = (z - 0.5) * logZ - z + halfLogTwoPi + series - log(product)
        digamma = logZ - 0.5 * r
            - r2 * (1.0 / 12 - r2 * (1.0 / 120 - r2 * (1.0 / 252 - r2 * (1.0 / 240 - r2 / 132))))
            - digammaShift
        trigamma = r + 0.5 * r2
            + r * r2 * (1.0 / 6 - r2 * (1.0 / 30 - r2 * (1.0 / 42 - r2 * (1.0 / 30 - r2 * 5.0 / 66))))
            + trigammaShift
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
