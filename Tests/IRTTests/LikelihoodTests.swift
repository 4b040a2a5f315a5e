import Foundation
import IRT
import XCTest

final class LikelihoodTests: XCTestCase {
    /// SciPy's scipy.stats.beta.logpdf(y, μφ, (1−μ)φ).
    func testBetaLogDensityAgainstSciPy() {
        let cases: [(y: Double, mu: Double, phi: Double, logpdf: Double)] = [
            (0.3, 0.4, 10.0, 0.827283135399898),
            (0.01, 0.2, 3.5, 1.7868640150877857),
            (0.97, 0.9, 50.0, 0.7039822480329505),
            (0.5, 0.5, 2.0, 0.0),
            (2e-4, 0.05, 25.0, 1.9304115500561414),
        ]
        for c in cases {
            let eta = logit(c.mu)
            let t = BetaLikelihood.terms(y: c.y, trials: 1, eta: eta, floor: 0, phi: c.phi, phiTerms: GammaTerms(c.phi))
            XCTAssertEqual(t.logLikelihood, c.logpdf, accuracy: 1e-9, "y=\(c.y) mu=\(c.mu) phi=\(c.phi)")
        }
    }

    func testBetaDerivatives() { checkDerivatives(BetaLikelihood.self, responses: [0.02, 0.35, 0.5, 0.93], trials: 1) }
    func testBernoulliDerivatives() { checkDerivatives(BinomialLikelihood.self, responses: [0, 1], trials: 1) }
    func testBinomialDerivatives() { checkDerivatives(BinomialLikelihood.self, responses: [0, 0.3, 0.7, 1], trials: 10) }

    /// Fisher information is the expectation of the observed information:
    /// exact for the binomial (sum over outcomes), by quadrature for the Beta.
    func testFisherIsExpectedObservedInformation() {
        for eta in [-1.5, 0.3, 2.0] {
            for g in [0.0, 0.2] {
                let n = 7.0
                let p = ItemResponse(eta: eta, floor: g).p
                var expected = 0.0
                for k in 0...7 {
                    let kk = Double(k)
                    let logChoose: Double = lgamma(n + 1) - lgamma(kk + 1) - lgamma(n - kk + 1)
                    let logProb: Double = logChoose + kk * log(p) + (n - kk) * log(1 - p)
                    let prob = exp(logProb)
                    expected += prob * BinomialLikelihood.terms(y: Double(k) / n, trials: n, eta: eta, floor: g, phi: 0, phiTerms: GammaTerms(1)).observed
                }
                let fisher = BinomialLikelihood.scoreAndFisher(y: 0, trials: n, eta: eta, floor: g, phi: 0).fisher
                XCTAssertEqual(fisher, expected, accuracy: 1e-10 * max(1, fisher))
            }
        }
        // Beta: E[observed] by the midpoint rule in y (parameters keep the density bounded).
        let phi = 12.0
        for eta in [-0.5, 0.4] {
            let mu = sigmoid(eta)
            let alpha = mu * phi, beta = (1 - mu) * phi
            let logB = lgamma(alpha) + lgamma(beta) - lgamma(phi)
            var expected = 0.0
            let steps = 200_000
            for i in 0..<steps {
                let y = (Double(i) + 0.5) / Double(steps)
                let density = exp((alpha - 1) * log(y) + (beta - 1) * log(1 - y) - logB)
                expected += density * BetaLikelihood.terms(y: y, trials: 1, eta: eta, floor: 0, phi: phi, phiTerms: GammaTerms(phi)).observed / Double(steps)
            }
            let fisher = BetaLikelihood.scoreAndFisher(y: 0.5, trials: 1, eta: eta, floor: 0, phi: phi).fisher
            XCTAssertEqual(fisher, expected, accuracy: 1e-4 * fisher)
        }
    }

    func testItemResponseFloorAndDerivatives() {
        let r = ItemResponse(eta: -40, floor: 0.25)
        XCTAssertEqual(r.p, 0.25, accuracy: 1e-12)
        let h = 1e-5
        for eta in [-2.0, 0.5, 3.0] {
            let r = ItemResponse(eta: eta, floor: 0.2)
            let fd = (ItemResponse(eta: eta + h, floor: 0.2).p - ItemResponse(eta: eta - h, floor: 0.2).p) / (2 * h)
            let fd2 = (ItemResponse(eta: eta + h, floor: 0.2).slope - ItemResponse(eta: eta - h, floor: 0.2).slope) / (2 * h)
            XCTAssertEqual(r.slope, fd, accuracy: 1e-9)
            XCTAssertEqual(r.curvature, fd2, accuracy: 1e-8)
        }
    }
}

/// Finite-difference checks shared by the likelihood test classes.
extension XCTestCase {
    func ll<L: EntryLikelihood>(_ l: L.Type, _ y: Double, _ n: Double, _ eta: Double, _ g: Double, _ phi: Double) -> Double {
        L.terms(y: y, trials: n, eta: eta, floor: g, phi: phi, phiTerms: GammaTerms(phi)).logLikelihood
    }

    /// Score = dℓ/dη and observed information = −d²ℓ/dη², by central differences,
    /// with and without a floor; dℓ/dφ and d²ℓ/dφ² for the Beta precision.
    func checkDerivatives<L: EntryLikelihood>(_ l: L.Type, responses: [Double], trials: Double) {
        for y in responses {
            for eta in [-3.1, -0.4, 0.0, 0.9, 2.7] {
                for g in [0.0, 0.25] {
                    for phi in [4.0, 17.0] {
                        let t = L.terms(y: y, trials: trials, eta: eta, floor: g, phi: phi, phiTerms: GammaTerms(phi))
                        // h balances truncation (h²) against the 1e-11 absolute error of log Γ (÷ h²).
                        let h = 1e-3
                        let fp = ll(l, y, trials, eta + h, g, phi), f0 = ll(l, y, trials, eta, g, phi), fm = ll(l, y, trials, eta - h, g, phi)
                        let score = (fp - fm) / (2 * h)
                        let second = (fp - 2 * f0 + fm) / (h * h)
                        XCTAssertEqual(t.score, score, accuracy: 1e-6 * max(1, abs(score)), "\(L.self) score y=\(y) eta=\(eta) g=\(g)")
                        XCTAssertEqual(t.observed, -second, accuracy: 1e-4 * max(1, abs(second)), "\(L.self) observed y=\(y) eta=\(eta) g=\(g)")
                        let quick = L.scoreAndFisher(y: y, trials: trials, eta: eta, floor: g, phi: phi)
                        XCTAssertEqual(quick.score, t.score, accuracy: 1e-12 * max(1, abs(t.score)))
                        XCTAssertEqual(quick.fisher, t.fisher, accuracy: 1e-12 * max(1, abs(t.fisher)))
                        if L.self == BetaLikelihood.self || L.self == BetaBinomialLikelihood.self {
                            let hp = 1e-3 * phi
                            let pp = ll(l, y, trials, eta, g, phi + hp), pm = ll(l, y, trials, eta, g, phi - hp)
                            XCTAssertEqual(t.dPhi, (pp - pm) / (2 * hp), accuracy: 1e-6)
                            XCTAssertEqual(t.d2Phi, (pp - 2 * f0 + pm) / (hp * hp), accuracy: 1e-4)
                        }
                        if L.self == BetaLikelihood.self {
                            // crossPhi = −d²ℓ/dη dφ + score/φ, the mixed derivative by differences of dℓ/dφ in η.
                            func dPhi(_ e: Double) -> Double {
                                L.terms(y: y, trials: trials, eta: e, floor: g, phi: phi, phiTerms: GammaTerms(phi)).dPhi
                            }
                            let mixed = (dPhi(eta + h) - dPhi(eta - h)) / (2 * h)
                            XCTAssertEqual(t.crossPhi, -mixed + t.score / phi, accuracy: 1e-6 * max(1, abs(mixed)),
                                           "\(L.self) crossPhi y=\(y) eta=\(eta) g=\(g) phi=\(phi)")
                        }
                    }
                }
            }
        }
    }
}
