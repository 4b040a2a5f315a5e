import Foundation
import IRT

/// Fisher information about the ability carried by one response, and the
/// response's variance, for each likelihood of the fit.
///
/// Why it must match the likelihood: selection and adaptive testing rank
/// items by how much a response tells about θ, and the standard errors of
/// scored abilities come from the same sums. A Beta response (a score in
/// (0, 1) with precision φ) carries far more information than a 0/1
/// outcome at the same (a, d), and a floor g removes information at low
/// ability; using the 3PL formula for Beta data (or the reverse) would pick
/// the wrong items and misstate every standard error.
///
/// With η = aθ + d, P = g + (1 − g)σ(η) and P′ = dP/dη = (1 − g)σ(1 − σ):
///
/// * Bernoulli (and binomial, per trial):
///   I(θ) = a² P′² / (P(1 − P)), the 3PL information (Birnbaum); it is the
///   familiar a²σ(1 − σ) when g = 0.
/// * Beta(Pφ, (1 − P)φ): the information about the mean μ = P is
///   φ² (ψ′(μφ) + ψ′((1 − μ)φ)), so
///   I(θ) = a² φ² (ψ′(μφ) + ψ′((1 − μ)φ)) P′², which for g = 0 is
///   a² φ² [μ(1 − μ)]² (ψ′(μφ) + ψ′((1 − μ)φ)).
///
/// Both are E[−∂²ℓ/∂θ²]; `InformationTests` checks them against numerical
/// second derivatives of the expected log-likelihood.
public enum ItemInformation {
    /// Fisher information about θ of one response to item (a, d, g) at θ.
    /// `trials` multiplies the Bernoulli information (binomial responses);
    /// `phi` is used only for Beta.
    @inlinable
    public static func fisher(theta: Double, a: Double, d: Double, g: Double, response: ResponseModel,
                              phi: Double, trials: Double = 1) -> Double {
        let r = ItemResponse(eta: a * theta + d, floor: g)
        let p = min(max(r.p, probabilityGuard), 1 - probabilityGuard)
        switch response {
        case .bernoulli, .binomial:
            return trials * a * a * r.slope * r.slope / (p * (1 - p))
        case .beta:
            let infoMu = phi * phi * (trigamma(p * phi) + trigamma((1 - p) * phi))
            return a * a * infoMu * r.slope * r.slope
        case .betaBinomial:
            // The quasi-likelihood information n²/Var(k): n trials worth
            // (φ + 1)/(φ + n) of independent ones.
            return effectiveTrials(trials, phi: phi) * a * a * r.slope * r.slope / (p * (1 - p))
        }
    }

    /// Var(y | θ) of one response with success probability `p`:
    /// P(1 − P)/trials for Bernoulli and binomial proportions,
    /// P(1 − P)/(1 + φ) for Beta.
    @inlinable
    public static func variance(p: Double, response: ResponseModel, phi: Double, trials: Double = 1) -> Double {
        switch response {
        case .bernoulli, .binomial: return p * (1 - p) / trials
        case .beta: return p * (1 - p) / (1 + phi)
        case .betaBinomial: return p * (1 - p) / effectiveTrials(trials, phi: phi)
        }
    }

    /// Beta-binomial: Var(k/n) = P(1 − P)(φ + n)/(n(φ + 1)), the variance of
    /// n(φ + 1)/(φ + n) independent trials.
    @inlinable
    public static func effectiveTrials(_ trials: Double, phi: Double) -> Double {
        phi.isFinite ? trials * (phi + 1) / (phi + trials) : trials
    }

    /// Var(z²) of the standardised residual z = (y − P)/sd(y) under the
    /// model: what the infit and outfit mean squares are compared with.
    /// Binomial: 2 + (1 − 6pq)/(n pq) (for n = 1, 1/(pq) − 4);
    /// Beta(α, β): 2 + its excess kurtosis.
    public static func varianceOfSquaredResidual(p: Double, response: ResponseModel, phi: Double, trials: Double = 1) -> Double {
        let p = min(max(p, probabilityGuard), 1 - probabilityGuard)
        switch response {
        case .bernoulli, .binomial, .betaBinomial:
            let pq = p * (1 - p)
            let n = response == .betaBinomial ? effectiveTrials(trials, phi: phi) : trials
            return max(2 + (1 - 6 * pq) / (n * pq), 0)
        case .beta:
            let al = p * phi, be = (1 - p) * phi, s = al + be
            let excess = 6 * ((al - be) * (al - be) * (s + 1) - al * be * (s + 2)) / (al * be * (s + 2) * (s + 3))
            return max(2 + excess, 0)
        }
    }
}
