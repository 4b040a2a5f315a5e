import Foundation
import ScalingLaw
import XCTest

/// pass@k against its definition and against the binomial expectation.
final class PassAtKTests: XCTestCase {
    /// The estimator equals its definition: among all C(n, k) ways to pick
    /// k of the n samples, the fraction that contains at least one of the c
    /// successes (counted here by enumerating the subsets).
    func testUnbiasedEstimatorMatchesSubsetEnumeration() throws {
        for n in 1...9 {
            for c in 0...n {
                for k in 1...n {
                    var hit = 0, total = 0
                    for mask in 0..<(1 << n) where mask.nonzeroBitCount == k {
                        total += 1
                        if mask & ((1 << c) - 1) != 0 { hit += 1 }   // samples 0..<c are the successes
                    }
                    let v = try XCTUnwrap(PassAtK.unbiased(n: n, c: c, k: k))
                    XCTAssertEqual(v, Double(hit) / Double(total), accuracy: 1e-12, "n \(n) c \(c) k \(k)")
                }
            }
        }
        XCTAssertNil(PassAtK.unbiased(n: 5, c: 2, k: 6), "k > n has no unbiased estimate")
    }

    /// Unbiasedness: for c ~ Binomial(n, p), E[estimator] = 1 − (1 − p)^k
    /// exactly, which is what the calibrated p predicts.
    func testEstimatorIsUnbiasedForTheBinomialPassAtK() throws {
        for (n, p) in [(10, 0.03), (20, 0.2), (50, 0.5), (16, 0.9)] {
            for k in [1, 2, 5, n / 2, n] {
                var expectation = 0.0
                for c in 0...n {
                    let logPmf = lgamma(Double(n + 1)) - lgamma(Double(c + 1)) - lgamma(Double(n - c + 1))
                        + Double(c) * log(p) + Double(n - c) * log1p(-p)
                    expectation += exp(logPmf) * (try XCTUnwrap(PassAtK.unbiased(n: n, c: c, k: k)))
                }
                XCTAssertEqual(expectation, PassAtK.fromProbability(p, k: Double(k)), accuracy: 1e-12, "n \(n) p \(p) k \(k)")
            }
        }
    }

    /// 1 − (1 − p)^k stays accurate where the naive formula loses every digit.
    func testFromProbabilityIsAccurateForTinyProbabilities() {
        XCTAssertEqual(PassAtK.fromProbability(1e-12, k: 1000), 1e-9, accuracy: 1e-18)
        XCTAssertEqual(PassAtK.fromProbability(0.5, k: 3), 0.875, accuracy: 1e-15)
        XCTAssertEqual(PassAtK.fromProbability(0, k: 10), 0)
        XCTAssertEqual(PassAtK.fromProbability(1, k: 10), 1)
    }

    /// The Beta mixture equals the expectation of 1 − (1 − q)^k over
    /// q ~ Beta(α, β), by numerical integration: the density's endpoint
    /// singularities are removed by q = u^(1/s) on (0, ½) and 1 − q = v^(1/t)
    /// on (½, 1) (s = min(α, 1), t = min(β, 1)); midpoint rule on each half.
    /// Integer and non-integer k.
    func testMixtureIsTheExpectationOverTheBetaRate() {
        func expectation(_ alpha: Double, _ beta: Double, _ f: (Double) -> Double) -> Double {
            // q = u^(1/s) with s = min(α, 1) turns q^(α−1) dq into (1/s)·u^(α/s − 1) du: bounded.
            let steps = 200_000, s = min(alpha, 1), t = min(beta, 1)
            var sum = 0.0, norm = 0.0
            let uMax = pow(0.5, s), vMax = pow(0.5, t)
            for i in 0..<steps {
                let u = uMax * (Double(i) + 0.5) / Double(steps)          // lower half
                let q = pow(u, 1 / s)
                let w = pow(u, alpha / s - 1) * pow(1 - q, beta - 1) / s * uMax    // × du
                sum += w * f(q); norm += w
                let v = vMax * (Double(i) + 0.5) / Double(steps)          // upper half, in 1 − q
                let r = pow(v, 1 / t)
                let w2 = pow(v, beta / t - 1) * pow(1 - r, alpha - 1) / t * vMax
                sum += w2 * f(1 - r); norm += w2
            }
            return sum / norm
        }
        for (alpha, beta) in [(0.3, 2.0), (1.5, 0.4), (4.0, 9.0), (0.05, 0.2)] {
            for k in [1.0, 3.0, 10.0, 2.5, 100.0] {
                let expected = expectation(alpha, beta) { q in -expm1(k * log1p(-q)) }
                XCTAssertEqual(PassAtK.mixture(alpha: alpha, beta: beta, k: k), expected, accuracy: 1e-6, "α \(alpha) β \(beta) k \(k)")
            }
        }
    }

    /// As φ → ∞ the mixture is the binomial 1 − (1 − p)^k; with the model's
    /// own counts the posterior moves toward them.
    func testPredictedLimitsAndPosterior() {
        XCTAssertEqual(PassAtK.predicted(p: 0.2, phi: 1e9, k: 10), PassAtK.fromProbability(0.2, k: 10), accuracy: 1e-6)
        XCTAssertEqual(PassAtK.predicted(p: 0.2, phi: .nan, k: 10), PassAtK.fromProbability(0.2, k: 10))
        let prior = PassAtK.predicted(p: 0.2, phi: 1, k: 10)
        XCTAssertLessThan(prior, PassAtK.fromProbability(0.2, k: 10), "spread lowers pass@k")
        XCTAssertLessThan(PassAtK.predicted(p: 0.2, phi: 1, k: 10, successes: 0, samples: 10), prior)
        XCTAssertGreaterThan(PassAtK.predicted(p: 0.2, phi: 1, k: 10, successes: 3, samples: 10), prior)
    }
}
