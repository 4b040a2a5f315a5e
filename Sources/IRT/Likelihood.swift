import Foundation

/// What one matrix entry contributes at the current parameters, in terms of the
/// linear predictor η. `score` is dℓ/dη, `fisher` is E[−d²ℓ/dη²] (used for the
/// Newton/Fisher-scoring steps: always non-negative, so steps are stable far
/// from the optimum) and `observed` is −d²ℓ/dη² (used for the standard errors).
public struct EntryTerms {
    public var logLikelihood: Double
    public var score: Double
    public var fisher: Double
    public var observed: Double
    /// dℓ/dφ and d²ℓ/dφ² for the Beta precision (zero for the other families).
    public var dPhi: Double
    public var d2Phi: Double

    @inlinable
    public init(logLikelihood: Double, score: Double, fisher: Double, observed: Double, dPhi: Double, d2Phi: Double) {
        self.logLikelihood = logLikelihood; self.score = score; self.fisher = fisher
        self.observed = observed; self.dPhi = dPhi; self.d2Phi = d2Phi
    }
}

/// A likelihood for one entry. The fit loop is generic over this protocol so
/// the compiler specialises one tight loop per family, with no dynamic
/// dispatch per entry.
public protocol EntryLikelihood {
    /// Score and Fisher information only: what the ability step needs.
    static func scoreAndFisher(y: Double, trials: Double, eta: Double, floor: Double, phi: Double) -> (score: Double, fisher: Double)
    /// Everything, including the log-likelihood and the precision terms.
    /// `phiTerms` are the gamma terms of φ, computed once per benchmark.
    static func terms(y: Double, trials: Double, eta: Double, floor: Double, phi: Double, phiTerms: GammaTerms) -> EntryTerms
}

/// Bounds that keep μ away from 0 and 1, where the Beta and Bernoulli
/// log-likelihoods have poles; an η of ±18 already reaches them.
public let probabilityGuard = 1e-8

/// Beta(μφ, (1−μ)φ) with mean μ = P. Responses must lie strictly inside (0, 1):
/// the loader clamps exact 0 and 1 to [ε, 1−ε] (see `betaClampEpsilon`).
public enum BetaLikelihood: EntryLikelihood {
    @inlinable
    public static func scoreAndFisher(y: Double, trials: Double, eta: Double, floor: Double, phi: Double) -> (score: Double, fisher: Double) {
        let r = ItemResponse(eta: eta, floor: floor)
        let mu = min(max(r.p, probabilityGuard), 1 - probabilityGuard)
        let t1 = GammaTerms(mu * phi), t2 = GammaTerms((1 - mu) * phi)
        let scoreMu = phi * (log(y) - log(1 - y) - t1.digamma + t2.digamma)
        let infoMu = phi * phi * (t1.trigamma + t2.trigamma)
        return (scoreMu * r.slope, infoMu * r.slope * r.slope)
    }

    @inlinable
    public static func terms(y: Double, trials: Double, eta: Double, floor: Double, phi: Double, phiTerms: GammaTerms) -> EntryTerms {
        let r = ItemResponse(eta: eta, floor: floor)
        let mu = min(max(r.p, probabilityGuard), 1 - probabilityGuard)
        let x1 = mu * phi, x2 = (1 - mu) * phi
        let t1 = GammaTerms(x1), t2 = GammaTerms(x2)
        let ly = log(y), l1y = log(1 - y)
        let scoreMu = phi * (ly - l1y - t1.digamma + t2.digamma)
        // d²ℓ/dμ² = −φ²(ψ'(μφ) + ψ'((1−μ)φ)) does not depend on y: observed = expected in μ.
        let infoMu = phi * phi * (t1.trigamma + t2.trigamma)
        let ll = phiTerms.logGamma - t1.logGamma - t2.logGamma + (x1 - 1) * ly + (x2 - 1) * l1y
        let fisher = infoMu * r.slope * r.slope
        return EntryTerms(
            logLikelihood: ll,
            score: scoreMu * r.slope,
            fisher: fisher,
            observed: fisher - scoreMu * r.curvature,
            dPhi: phiTerms.digamma - mu * t1.digamma - (1 - mu) * t2.digamma + mu * ly + (1 - mu) * l1y,
            d2Phi: phiTerms.trigamma - mu * mu * t1.trigamma - (1 - mu) * (1 - mu) * t2.trigamma)
    }
}

/// Binomial(trials, P) for a proportion y = successes / trials; Bernoulli is
/// the case trials = 1. The log-likelihood omits the constant log C(n, k).
public enum BinomialLikelihood: EntryLikelihood {
    @inlinable
    public static func scoreAndFisher(y: Double, trials n: Double, eta: Double, floor: Double, phi: Double) -> (score: Double, fisher: Double) {
        let r = ItemResponse(eta: eta, floor: floor)
        let p = min(max(r.p, probabilityGuard), 1 - probabilityGuard)
        let v = 1 / (p * (1 - p))
        return (n * (y - p) * v * r.slope, n * v * r.slope * r.slope)
    }

    @inlinable
    public static func terms(y: Double, trials n: Double, eta: Double, floor: Double, phi: Double, phiTerms: GammaTerms) -> EntryTerms {
        let r = ItemResponse(eta: eta, floor: floor)
        let p = min(max(r.p, probabilityGuard), 1 - probabilityGuard)
        let q = 1 - p
        let v = 1 / (p * q)
        let scoreP = n * (y - p) * v
        let observedP = n * (y / (p * p) + (1 - y) / (q * q))   // −d²ℓ/dP²
        return EntryTerms(
            logLikelihood: n * (y * log(p) + (1 - y) * log(q)),
            score: scoreP * r.slope,
            fisher: n * v * r.slope * r.slope,
            observed: observedP * r.slope * r.slope - scoreP * r.curvature,
            dPhi: 0, d2Phi: 0)
    }
}

/// Exact 0 and 1 responses have no Beta density; they are moved to ε and 1 − ε
/// with this ε before fitting, and the fit reports how many were moved.
public let betaClampEpsilon: Float = 1e-4
