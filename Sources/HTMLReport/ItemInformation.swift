import Foundation
import IRT

/// The report's view of IRT's `ItemInformation` (the one definition of
/// Fisher information about θ, I(θ) = a² w(η), for every likelihood of the
/// fit): curves read the fit's `@response` as text, so these take it as a
/// string. Anything but `beta` is drawn as Bernoulli (binomial per trial);
/// a Beta item without a usable φ has no information to draw (NaN).
extension ItemInformation {
    /// Information of one item at ability `theta`. `response` is the fit's
    /// `@response` (`beta`, `bernoulli` or `binomial`); `phi` is used for Beta only.
    public static func fisher(theta: Double, a: Double, d: Double, g: Double, response: String, phi: Double) -> Double {
        if response == "beta" {
            guard phi > 0, phi.isFinite else { return .nan }
            return fisher(theta: theta, a: a, d: d, g: g, response: ResponseModel.beta, phi: phi)
        }
        return fisher(theta: theta, a: a, d: d, g: g, response: ResponseModel.bernoulli, phi: phi)
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
