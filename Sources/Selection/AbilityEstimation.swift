import Foundation
import IRT

/// The population prior for a new model's ability: a normal with the mean
/// and standard deviation of the calibrated abilities (`ItemBank.prior`).
public struct AbilityPrior: Sendable, Equatable {
    public var mean: Double
    public var sd: Double
    public init(mean: Double, sd: Double) {
        precondition(sd > 0, "prior sd must be positive")
        self.mean = mean; self.sd = sd
    }
    public var precision: Double { 1 / (sd * sd) }
    public func logDensity(_ theta: Double) -> Double {
        let z = (theta - mean) / sd
        return -0.5 * z * z
    }
}

/// One observed response of a model: item index in the bank, the response
/// as recorded (a proportion in [0, 1]) and its trial count (1 unless binomial).
public struct Observation: Sendable, Equatable {
    public var item: Int
    public var y: Double
    public var trials: Double
    public init(item: Int, y: Double, trials: Double = 1) {
        self.item = item; self.y = y; self.trials = trials
    }
}

/// A new model's ability from the items it answered, given calibrated items.
public struct AbilityEstimate: Sendable, Equatable {
    /// Posterior mode (MAP) under the population prior.
    public var theta: Double
    /// Its standard error: 1/√(test information at θ + prior precision).
    public var se: Double
    /// Maximum likelihood estimate; nil when it does not exist (no
    /// responses, all at the floor or all at the ceiling of a Bernoulli or
    /// binomial test: the likelihood then increases without bound).
    public var mle: Double?
    /// 1/√(test information at the MLE).
    public var mleSE: Double?
    /// Responses the estimate used.
    public var itemsUsed: Int
    /// K > 1 (`MultidimensionalAbility`): the MAP [K] and its posterior
    /// covariance [K × K]; `theta` and `se` are then those of dimension 1.
    /// Empty for K = 1.
    public var thetaVector: [Double] = []
    public var covariance: [Double] = []
    /// Marginal posterior standard deviations [K] (K > 1; empty for K = 1).
    public var seVector: [Double] {
        (0..<thetaVector.count).map { covariance[$0 * thetaVector.count + $0].squareRoot() }
    }
}

/// MAP and maximum-likelihood abilities for one model, items held fixed.
///
/// Fisher scoring on the (penalised) log-likelihood with step halving, so
/// every accepted step increases the objective even where the floor makes
/// the Bernoulli log-likelihood non-concave. Binomial responses are weighted
/// by their trials. Beta responses within ε of 0 or 1 are treated as the fit
/// treated them (`BetaTails`): clamped to ε and 1 − ε (what `irsl fit`
/// does), or censored, log P(Y ≤ ε) (`CensoredBeta`), for a fit that says so.
/// Scoring with the calibration's own likelihood puts a new model on the
/// calibrated models' scale. The information, and so the standard error, is
/// `ItemBank.information`.
public enum AbilityEstimator {
    /// |θ| beyond this means "no finite maximum" for the MLE.
    public static let bound = 10.0

    /// MAP and, where it exists, MLE with standard errors.
    public static func estimate(_ observations: [Observation], bank: ItemBank, prior: AbilityPrior,
                                start: Double? = nil) -> AbilityEstimate {
        let map = maximise(observations, bank: bank, prior: prior, start: start ?? prior.mean)
        var estimate = AbilityEstimate(theta: map.theta, se: map.se, mle: nil, mleSE: nil, itemsUsed: observations.count)
        if let mle = maximumLikelihood(observations, bank: bank, start: map.theta) {
            estimate.mle = mle.theta
            estimate.mleSE = mle.se
        }
        return estimate
    }

    /// The posterior mode under `prior` and its standard error.
    public static func posteriorMode(_ observations: [Observation], bank: ItemBank, prior: AbilityPrior,
                                     start: Double? = nil) -> (theta: Double, se: Double) {
        let r = maximise(observations, bank: bank, prior: prior, start: start ?? prior.mean)
        return (r.theta, r.se)
    }

    /// The MLE and its standard error, or nil when the likelihood has no
    /// finite maximum.
    public static func maximumLikelihood(_ observations: [Observation], bank: ItemBank,
                                         start: Double = 0) -> (theta: Double, se: Double)? {
        guard !observations.isEmpty else { return nil }
        if bank.response != .beta {
            // A Bernoulli/binomial test answered all right (or all wrong) by
            // items with a > 0 is maximised at θ = +∞ (−∞).
            let informative = observations.filter { bank.a[$0.item] != 0 }
            if informative.allSatisfy({ $0.y >= 1 }) || informative.allSatisfy({ $0.y <= 0 }) { return nil }
        }
        let r = maximise(observations, bank: bank, prior: nil, start: start)
        guard r.converged, abs(r.theta) < bound, r.se.isFinite else { return nil }
        return (r.theta, r.se)
    }

    /// Test information Σ trials·I_j(θ) of the observed items.
    public static func testInformation(_ observations: [Observation], bank: ItemBank, theta: Double) -> Double {
        var total = 0.0
        for o in observations { total += o.trials * bank.information(o.item, theta) }
        return total
    }

    /// The log-likelihood of the observations at θ (plus the prior's log
    /// density when given, up to a constant).
    public static func logPosterior(_ observations: [Observation], bank: ItemBank, prior: AbilityPrior?, theta: Double) -> Double {
        evaluate(observations, bank: bank, prior: prior, theta: theta, terms: phiTerms(bank)).value
    }

    // MARK: - The iteration

    struct Maximum { var theta: Double; var se: Double; var converged: Bool }

    static func phiTerms(_ bank: ItemBank) -> [GammaTerms] {
        bank.phi.map { GammaTerms($0.isFinite && $0 > 0 ? $0 : 1) }
    }

    static func maximise(_ observations: [Observation], bank: ItemBank, prior: AbilityPrior?, start: Double) -> Maximum {
        let terms = phiTerms(bank)
        let limit = prior == nil ? bound + 1 : 12.0
        var theta = min(max(start.isFinite ? start : 0, -limit), limit)
        var current = evaluate(observations, bank: bank, prior: prior, theta: theta, terms: terms)
        var converged = false
        for _ in 0..<200 {
            guard current.information > 0 else { break }
            var step = min(max(current.gradient / current.information, -1), 1)
            if abs(step) < 1e-10 { converged = true; break }
            var accepted = false
            for _ in 0..<30 {
                let candidate = min(max(theta + step, -limit), limit)
                let next = evaluate(observations, bank: bank, prior: prior, theta: candidate, terms: terms)
                if next.value >= current.value - 1e-12 * abs(current.value) {
                    let moved = abs(candidate - theta)
                    theta = candidate; current = next; accepted = true
                    if moved < 1e-9 { converged = true }
                    break
                }
                step *= 0.5
            }
            if !accepted || converged { converged = true; break }
            if abs(theta) >= limit { break }
        }
        let info = current.information
        return Maximum(theta: theta, se: info > 0 ? 1 / info.squareRoot() : .infinity, converged: converged)
    }

    /// Objective, gradient and Fisher information at θ (prior included).
    static func evaluate(_ observations: [Observation], bank: ItemBank, prior: AbilityPrior?, theta: Double,
                         terms: [GammaTerms]) -> (value: Double, gradient: Double, information: Double) {
        var value = 0.0, gradient = 0.0, information = 0.0
        for o in observations {
            let j = o.item
            let e = entry(o, bank: bank, eta: bank.a[j] * theta + bank.d[j], slope: bank.a[j], terms: terms)
            value += e.value
            gradient += e.gradient
            information += e.information
        }
        if let prior {
            value += prior.logDensity(theta)
            gradient -= (theta - prior.mean) * prior.precision
            information += prior.precision
        }
        return (value, gradient, information)
    }

    /// One response's log-likelihood at η, its derivative along a direction
    /// with dη = `slope`·dθ and the Fisher information along it, under the
    /// bank's likelihood (Beta tails as the fit treated them). K = 1 passes
    /// the item's a; K > 1 (`MultidimensionalAbility`) passes 1 and gets the
    /// η-score and η-information, which it spreads along the loading vector.
    @inline(__always)
    static func entry(_ o: Observation, bank: ItemBank, eta: Double, slope a: Double,
                      terms: [GammaTerms]) -> (value: Double, gradient: Double, information: Double) {
        let j = o.item
        let lo = Double(betaClampEpsilon), hi = 1 - Double(betaClampEpsilon)
        let b = bank.benchmarkOfItem[j]
        let e: EntryTerms
        switch bank.response {
        case .beta:
            e = BetaLikelihood.terms(y: min(max(o.y, lo), hi), trials: 1, eta: eta, floor: bank.g[j],
                                     phi: bank.phi[b], phiTerms: terms[b])
            if bank.betaTails == .censored {
                let r = ItemResponse(eta: eta, floor: bank.g[j])
                // = ItemBank.information(j, θ) for K = 1.
                let information = a * a * r.slope * r.slope * bank.censoredInformation[b].information(mu: r.p)
                if o.y <= lo || o.y >= hi {
                    let mu = min(max(r.p, probabilityGuard), 1 - probabilityGuard)
                    let t = CensoredBeta.logTailAndScore(mu: mu, phi: bank.phi[b], upper: o.y >= hi)
                    return (t.value, t.dMu * r.slope * a, information)
                }
                return (e.logLikelihood, e.score * a, information)
            }
        case .bernoulli, .binomial:
            e = BinomialLikelihood.terms(y: o.y, trials: o.trials, eta: eta, floor: bank.g[j],
                                         phi: 1, phiTerms: terms[b])
        case .betaBinomial:
            e = BetaBinomialLikelihood.terms(y: o.y, trials: o.trials, eta: eta, floor: bank.g[j],
                                             phi: bank.phi[b], phiTerms: terms[b])
        }
        return (e.logLikelihood, e.score * a, e.fisher * a * a)   // information = trials · ItemBank.information(j, θ)
    }
}
