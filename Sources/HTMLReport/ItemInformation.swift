import Foundation
import IRT

/// Fisher information about θ of one response, I(θ) = a² · w(η) with
/// w = E[−∂²ℓ/∂η²] taken from the fit's own likelihoods in IRT, so the
/// report's curves use exactly the model that was fitted (docs/estimator.md):
///
/// * Bernoulli with floor g (3PL): I = a² P′² / (P(1 − P)); binomial is
///   drawn per trial, the same form.
/// * Beta(μφ, (1 − μ)φ): I = a² φ² P′² (ψ′(μφ) + ψ′((1 − μ)φ)),
///
/// with P′ = dP/dη = (1 − g)σ(η)(1 − σ(η)).
public enum ItemInformation {
    /// Information of one item at ability `theta`. `response` is the fit's
    /// `@response` (`beta`, `bernoulli` or `binomial`); `phi` is used for Beta only.
    public static func fisher(theta: Double, a: Double, d: Double, g: Double, response: String, phi: Double) -> Double {
        let eta = a * theta + d
        let w: Double
        if response == "beta" {
            guard phi > 0, phi.isFinite else { return .nan }
            w = BetaLikelihood.scoreAndFisher(y: 0.5, trials: 1, eta: eta, floor: g, phi: phi).fisher
        } else {
            w = BinomialLikelihood.scoreAndFisher(y: 0.5, trials: 1, eta: eta, floor: g, phi: phi).fisher
        }
        return a * a * w
    }

    /// The test information Σ_j I_j(θ) of items (a, d, g) at each θ of `grid`.
    public static func curve(grid: [Double], items: [(a: Double, d: Double, g: Double)], response: String, phi: Double) -> [Double] {
        grid.map { t in
            items.reduce(0) { sum, it in
                let i = fisher(theta: t, a: it.a, d: it.d, g: it.g, response: response, phi: phi)
                return i.isFinite ? sum + i : sum
            }
        }
    }
}
