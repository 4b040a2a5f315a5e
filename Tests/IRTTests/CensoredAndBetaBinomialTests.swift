import Foundation
import IRT
import XCTest

/// The censored Beta tails and the beta-binomial: values against SciPy,
/// derivatives against finite differences (LikelihoodTests.checkDerivatives).
final class CensoredAndBetaBinomialTests: XCTestCase {
    /// log P(Y ≤ ε) and log P(Y ≥ 1 − ε) against scipy.special.betainc at the stored ε.
    func testCensoredTailsAgainstSciPy() {
        let lo = Double(betaClampEpsilon), hi = Double(1 - betaClampEpsilon)
        let cases: [(y: Double, mu: Double, phi: Double, log: Double)] = [
            (lo, 0.05, 25.0, -7.673072480866871),
            (lo, 0.3, 2.0, -5.2940145588629175),
            (lo, 0.7, 0.8, -6.219943511556277),
            (hi, 0.3, 2.0, -13.509314067399755),
            (hi, 0.7, 0.8, -2.4253156611504165),
        ]
        for c in cases {
            let t = BetaLikelihood.terms(y: c.y, trials: 1, eta: logit(c.mu), floor: 0, phi: c.phi, phiTerms: GammaTerms(c.phi))
            // The closed form is the incomplete Beta function's leading term: error ≈ ε·φ in the log.
            XCTAssertEqual(t.logLikelihood, c.log, accuracy: 2 * Double(betaClampEpsilon) * c.phi + 1e-6, "y=\(c.y) mu=\(c.mu) phi=\(c.phi)")
        }
    }

    /// A censored entry is scored by its tail, not by the density at ε: the
    /// density would reward μ → 0 without bound for a low entry; the tail saturates at log 1 = 0.
    func testCensoredTailSaturates() {
        let lo = Double(betaClampEpsilon)
        let near0 = BetaLikelihood.terms(y: lo, trials: 1, eta: -12, floor: 0, phi: 5, phiTerms: GammaTerms(5)).logLikelihood
        XCTAssertLessThanOrEqual(near0, 0)
        XCTAssertGreaterThan(near0, -0.01)
    }

    func testCensoredBetaDerivatives() {
        checkDerivatives(BetaLikelihood.self, responses: [Double(betaClampEpsilon), Double(1 - betaClampEpsilon)], trials: 1)
    }

    /// scipy.stats.betabinom.logpmf(k, n, μφ, (1−μ)φ) − log C(n, k).
    func testBetaBinomialAgainstSciPy() {
        let cases: [(k: Double, n: Double, mu: Double, phi: Double, log: Double)] = [
            (0, 3, 0.2, 1.5, -0.4405890815137816),
            (2, 3, 0.6, 4.0, -2.218243944560294),
            (7, 10, 0.4, 0.7, -7.834257150416785),
            (10, 10, 0.9, 30.0, -0.9167285123342506),
        ]
        for c in cases {
            let t = BetaBinomialLikelihood.terms(y: c.k / c.n, trials: c.n, eta: logit(c.mu), floor: 0, phi: c.phi,
                                                 phiTerms: GammaTerms(c.phi))
            XCTAssertEqual(t.logLikelihood, c.log, accuracy: 1e-9, "k=\(c.k) n=\(c.n)")
        }
    }

    func testBetaBinomialDerivatives() {
        checkDerivatives(BetaBinomialLikelihood.self, responses: [0, 0.3, 0.7, 1], trials: 10)
        checkDerivatives(BetaBinomialLikelihood.self, responses: [0, 1.0 / 3, 1], trials: 3)
    }

    /// The beta-binomial tends to the binomial as φ → ∞ (same score, same information).
    func testBetaBinomialLimitIsBinomial() {
        let bb = BetaBinomialLikelihood.scoreAndFisher(y: 0.3, trials: 10, eta: 0.4, floor: 0.1, phi: 1e9)
        let bin = BinomialLikelihood.scoreAndFisher(y: 0.3, trials: 10, eta: 0.4, floor: 0.1, phi: 1)
        XCTAssertEqual(bb.score, bin.score, accuracy: 1e-5 * abs(bin.score))
        XCTAssertEqual(bb.fisher, bin.fisher, accuracy: 1e-5 * bin.fisher)
    }
}
