import Foundation
import IRT

/// A new model's K-dimensional ability: the posterior mode and the
/// posterior covariance (the inverse of the penalised Fisher information at it).
public struct AbilityPosterior: Sendable, Equatable {
    /// The MAP [K].
    public var theta: [Double]
    /// [K × K] row-major: (Σ_j trials·a_j a_jᵀ I_η,j(θ̂) + prior precision)⁻¹.
    public var covariance: [Double]
    public var converged: Bool
    /// Marginal posterior standard deviations [K].
    public var se: [Double] { (0..<theta.count).map { covariance[$0 * theta.count + $0].squareRoot() } }
}

/// MAP abilities for K > 1, items held fixed: the K = 1 `AbilityEstimator`
/// in K dimensions.
///
/// Fisher scoring on the log-posterior under the population prior
/// N(μ, Σ) (`MultivariatePrior`), with step halving so every accepted step
/// increases the objective. Each response contributes its η-score and
/// η-information (`AbilityEstimator.entry`, the same per-entry terms as
/// K = 1, for every likelihood the bank supports, Beta tails included)
/// spread along its loading vector: ∂ℓ/∂θ = a ∂ℓ/∂η, I(θ) = a aᵀ I_η. The
/// K × K system is solved by Cholesky (`SmallLinearAlgebra`); the prior
/// precision keeps it positive definite, so the mode exists even for an
/// all-correct test (no MLE is computed for K > 1: with K dimensions and a
/// few items it rarely exists).
public enum MultidimensionalAbility {
    /// |θ_c| is kept within this.
    public static let limit = 12.0

    public static func posteriorMode(_ observations: [Observation], bank: ItemBank, prior: MultivariatePrior? = nil,
                                     start: [Double]? = nil) -> AbilityPosterior {
        let prior = prior ?? bank.abilityPrior
        let k = bank.dims, terms = AbilityEstimator.phiTerms(bank)
        var theta = (start?.count == k ? start! : prior.mean).map { min(max($0.isFinite ? $0 : 0, -limit), limit) }
        var current = evaluate(observations, bank: bank, prior: prior, theta: theta, terms: terms)
        var converged = false
        for _ in 0..<200 {
            guard var step = SmallLinearAlgebra.solve(current.information, current.gradient) else { break }
            let size = step.reduce(0) { max($0, abs($1)) }
            if size < 1e-10 { converged = true; break }
            if size > 1 { step = step.map { $0 / size } }
            var accepted = false, moved = 0.0, gained = 0.0
            for _ in 0..<30 {
                let candidate = (0..<k).map { min(max(theta[$0] + step[$0], -limit), limit) }
                let next = evaluate(observations, bank: bank, prior: prior, theta: candidate, terms: terms)
                if next.value >= current.value - 1e-12 * abs(current.value) {
                    moved = (0..<k).reduce(0) { max($0, abs(candidate[$1] - theta[$1])) }
                    gained = next.value - current.value
                    theta = candidate; current = next; accepted = true
                    break
                }
                step = step.map { $0 * 0.5 }
            }
            // Fisher scoring converges linearly where the expected and observed information differ
            // (clamped Beta tails): an objective that no longer moves counts as converged too.
            if !accepted || moved < 1e-9 || gained < 1e-13 * max(1, abs(current.value)) { converged = true; break }
        }
        let covariance = MultivariatePrior.inverse(current.information, k)
            ?? [Double](repeating: .infinity, count: k * k)
        return AbilityPosterior(theta: theta, covariance: covariance, converged: converged)
    }

    /// Log-posterior (up to a constant), gradient [K] and penalised Fisher information [K × K] at θ.
    public static func evaluate(_ observations: [Observation], bank: ItemBank, prior: MultivariatePrior?, theta: [Double],
                                terms: [GammaTerms]? = nil) -> (value: Double, gradient: [Double], information: [Double]) {
        let k = bank.dims, terms = terms ?? AbilityEstimator.phiTerms(bank)
        var value = 0.0
        var gradient = [Double](repeating: 0, count: k), information = [Double](repeating: 0, count: k * k)
        for o in observations {
            let j = o.item
            let e = AbilityEstimator.entry(o, bank: bank, eta: bank.eta(j, at: theta), slope: 1, terms: terms)
            value += e.value
            let base = j * k
            for c in 0..<k {
                let ac = bank.a[base + c]
                gradient[c] += e.gradient * ac
                for f in 0..<k { information[c * k + f] += e.information * ac * bank.a[base + f] }
            }
        }
        if let prior {
            value += prior.logDensity(theta)
            for c in 0..<k {
                for f in 0..<k {
                    gradient[c] -= prior.precision[c * k + f] * (theta[f] - prior.mean[f])
                    information[c * k + f] += prior.precision[c * k + f]
                }
            }
        }
        return (value, gradient, information)
    }
}
