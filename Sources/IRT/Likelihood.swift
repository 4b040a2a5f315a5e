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
    /// The Beta's expected cross information −d²ℓ/dη dφ: the observed one
    /// less its part of mean zero, −score/φ. It couples an item's step to
    /// its benchmark's φ step (Calibrator.precisionSteps); zero for the
    /// other likelihoods, whose φ (beta-binomial) steps on its own.
    public var crossPhi: Double

    @inlinable
    public init(logLikelihood: Double, score: Double, fisher: Double, observed: Double, dPhi: Double, d2Phi: Double,
                crossPhi: Double = 0) {
        self.logLikelihood = logLikelihood; self.score = score; self.fisher = fisher
        self.observed = observed; self.dPhi = dPhi; self.d2Phi = d2Phi; self.crossPhi = crossPhi
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

/// Beta(μφ, (1−μ)φ) with mean μ = P, censored at the boundaries: an entry
/// at or below ε (the loader moves exact 0 and anything below ε to ε)
/// contributes log P(Y ≤ ε), one at or above 1 − ε contributes log P(Y ≥ 1 − ε).
///
/// Why censored and not clamped: a pass rate of exactly 0 says "below
/// anything we can resolve", not "exactly 1e-4"; scoring the density at ε
/// makes those entries dominate μ and φ. For small ε the incomplete Beta
/// function is ε^α / (α B(α, β)) to relative order ε·φ, so
///
///     log P(Y ≤ ε) = α log ε − lnΓ(α + 1) − lnΓ(β) + lnΓ(φ),   α = μφ, β = (1 − μ)φ,
///
/// which is the density's formula with log y = log ε, log(1 − y) = 0 plus
/// log ε − log α; every derivative follows from ψ(α + 1) = ψ(α) + 1/α.
public enum BetaLikelihood: EntryLikelihood {
    /// The censoring points, as the loader stores them (Float, widened).
    public static let lowerCensor = Double(betaClampEpsilon)
    public static let upperCensor = Double(1 - betaClampEpsilon)
    public static let logEpsilon = log(Double(betaClampEpsilon))

    /// The per-entry pieces shared by both entry points: log y and log(1 − y)
    /// as the density uses them, and the censoring indicators.
    @inlinable
    static func sides(_ y: Double) -> (ly: Double, l1y: Double, low: Double, high: Double) {
        if y <= lowerCensor { return (logEpsilon, 0, 1, 0) }
        if y >= upperCensor { return (0, logEpsilon, 0, 1) }
        return (log(y), log(1 - y), 0, 0)
    }

    @inlinable
    public static func scoreAndFisher(y: Double, trials: Double, eta: Double, floor: Double, phi: Double) -> (score: Double, fisher: Double) {
        let r = ItemResponse(eta: eta, floor: floor)
        let mu = min(max(r.p, probabilityGuard), 1 - probabilityGuard)
        let x1 = mu * phi, x2 = (1 - mu) * phi
        let t1 = GammaTerms(x1), t2 = GammaTerms(x2)
        let e = sides(y)
        let scoreMu = phi * (e.ly - e.l1y - t1.digamma + t2.digamma - e.low / x1 + e.high / x2)
        let infoMu = phi * phi * (t1.trigamma + t2.trigamma - e.low / (x1 * x1) - e.high / (x2 * x2))
        return (scoreMu * r.slope, infoMu * r.slope * r.slope)
    }

    @inlinable
    public static func terms(y: Double, trials: Double, eta: Double, floor: Double, phi: Double, phiTerms: GammaTerms) -> EntryTerms {
        let r = ItemResponse(eta: eta, floor: floor)
        let mu = min(max(r.p, probabilityGuard), 1 - probabilityGuard)
        let x1 = mu * phi, x2 = (1 - mu) * phi
        let t1 = GammaTerms(x1), t2 = GammaTerms(x2)
        let e = sides(y)
        let ly = e.ly, l1y = e.l1y
        let scoreMu = phi * (ly - l1y - t1.digamma + t2.digamma - e.low / x1 + e.high / x2)
        // −d²ℓ/dμ² = φ²(ψ'(α) + ψ'(β)) (less 1/α² or 1/β² when censored) does not depend on y
        // beyond the censoring: observed = expected in μ.
        let infoMu = phi * phi * (t1.trigamma + t2.trigamma - e.low / (x1 * x1) - e.high / (x2 * x2))
        var ll = phiTerms.logGamma - t1.logGamma - t2.logGamma + (x1 - 1) * ly + (x2 - 1) * l1y
        if e.low > 0 { ll += logEpsilon - log(x1) }
        if e.high > 0 { ll += logEpsilon - log(x2) }
        let fisher = infoMu * r.slope * r.slope
        let censored = e.low + e.high
        return EntryTerms(
            logLikelihood: ll,
            score: scoreMu * r.slope,
            fisher: fisher,
            observed: fisher - scoreMu * r.curvature,
            dPhi: phiTerms.digamma - mu * t1.digamma - (1 - mu) * t2.digamma + mu * ly + (1 - mu) * l1y - censored / phi,
            d2Phi: phiTerms.trigamma - mu * mu * t1.trigamma - (1 - mu) * (1 - mu) * t2.trigamma + censored / (phi * phi),
            crossPhi: phi * (mu * (t1.trigamma - e.low / (x1 * x1)) - (1 - mu) * (t2.trigamma - e.high / (x2 * x2))) * r.slope)
    }
}

/// Beta-binomial: k = y·n successes of n trials, the success probability of
/// this (model, question) pair drawn from Beta(μφ, (1 − μ)φ) with mean
/// μ = P and a precision φ per benchmark. The exact marginal of sampled
/// runs (pass rates over k samples): 0/n and n/n are ordinary outcomes,
/// nothing is clamped, and φ measures how much a model's per-question
/// success rate varies around the IRT prediction, which is what pass@k
/// extrapolation needs. φ → ∞ gives the binomial. log C(n, k) is omitted.
///
///     ℓ = lnΓ(k + α) + lnΓ(n − k + β) − lnΓ(n + φ) − lnΓ(α) − lnΓ(β) + lnΓ(φ)
public enum BetaBinomialLikelihood: EntryLikelihood {
    @inlinable
    public static func scoreAndFisher(y: Double, trials n: Double, eta: Double, floor: Double, phi: Double) -> (score: Double, fisher: Double) {
        let r = ItemResponse(eta: eta, floor: floor)
        let mu = min(max(r.p, probabilityGuard), 1 - probabilityGuard)
        let k = (y * n).rounded()
        let x1 = mu * phi, x2 = (1 - mu) * phi
        let a0 = GammaTerms(x1), b0 = GammaTerms(x2), ak = GammaTerms(k + x1), bk = GammaTerms(n - k + x2)
        let scoreMu = phi * (ak.digamma - a0.digamma - bk.digamma + b0.digamma)
        return (scoreMu * r.slope, expectedInformation(mu: mu, phi: phi, trials: n) * r.slope * r.slope)
    }

    /// The information in μ used for the Fisher-scoring steps: the
    /// quasi-likelihood information n²/Var(k) = n(φ + 1)/(μ(1 − μ)(φ + n)).
    /// Why not the observed curvature: for k = 0 it lacks the α terms
    /// altogether (ψ'(α) − ψ'(α + k) vanishes) and is orders of magnitude
    /// below the expected information when μ is small, so Newton steps
    /// overshoot; the quasi information is a lower bound on the expected one,
    /// always positive, and equals the binomial's as φ → ∞.
    @inlinable
    public static func expectedInformation(mu: Double, phi: Double, trials n: Double) -> Double {
        n * (phi + 1) / (mu * (1 - mu) * (phi + n))
    }

    @inlinable
    public static func terms(y: Double, trials n: Double, eta: Double, floor: Double, phi: Double, phiTerms: GammaTerms) -> EntryTerms {
        let r = ItemResponse(eta: eta, floor: floor)
        let mu = min(max(r.p, probabilityGuard), 1 - probabilityGuard)
        let k = (y * n).rounded()
        let x1 = mu * phi, x2 = (1 - mu) * phi
        let a0 = GammaTerms(x1), b0 = GammaTerms(x2), ak = GammaTerms(k + x1), bk = GammaTerms(n - k + x2)
        let nf = GammaTerms(n + phi)
        let scoreMu = phi * (ak.digamma - a0.digamma - bk.digamma + b0.digamma)
        // Observed curvature in μ: positive, since ψ' decreases (ψ'(x) > ψ'(x + k)).
        let observedMu = phi * phi * (a0.trigamma - ak.trigamma + b0.trigamma - bk.trigamma)
        let q = 1 - mu
        return EntryTerms(
            logLikelihood: ak.logGamma + bk.logGamma - nf.logGamma - a0.logGamma - b0.logGamma + phiTerms.logGamma,
            score: scoreMu * r.slope,
            fisher: expectedInformation(mu: mu, phi: phi, trials: n) * r.slope * r.slope,
            observed: observedMu * r.slope * r.slope - scoreMu * r.curvature,
            dPhi: mu * (ak.digamma - a0.digamma) + q * (bk.digamma - b0.digamma) - nf.digamma + phiTerms.digamma,
            d2Phi: mu * mu * (ak.trigamma - a0.trigamma) + q * q * (bk.trigamma - b0.trigamma) - nf.trigamma + phiTerms.trigamma)
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

/// The Beta likelihood's censoring point: entries at or below ε (or at or above
/// 1 − ε) are moved to ε (1 − ε) by the loader and enter the likelihood as
/// censored, log P(Y ≤ ε) (log P(Y ≥ 1 − ε)); the fit reports how many.
public let betaClampEpsilon: Float = 1e-4
