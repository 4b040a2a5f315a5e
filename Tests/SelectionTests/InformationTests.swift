import Foundation
import IRT
import Selection
import Simulation
import XCTest

/// Fisher information against numerical second derivatives of the expected
/// log-likelihood, E[−∂²ℓ/∂θ²], computed without the library's formulas.
final class InformationTests: XCTestCase {
    func probability(_ theta: Double, _ a: Double, _ d: Double, _ g: Double) -> Double {
        g + (1 - g) / (1 + exp(-(a * theta + d)))
    }

    /// −d²f/dθ² at θ by central differences.
    func negativeSecond(_ f: (Double) -> Double, at theta: Double, h: Double = 1e-3) -> Double {
        -(f(theta + h) - 2 * f(theta) + f(theta - h)) / (h * h)
    }

    /// Bernoulli with and without a floor, positive and negative slopes:
    /// the 3PL information equals Σ_y P(y) · (−∂²ℓ(θ; y)/∂θ²).
    func testBernoulliInformationIsExpectedNegativeSecondDerivative() {
        for (a, d, g) in [(1.0, 0.0, 0.0), (1.7, -0.8, 0.0), (2.3, 1.1, 0.25), (-0.9, 0.4, 0.0), (0.6, -2.0, 0.2)] {
            for theta in [-2.5, -0.7, 0.0, 1.3, 2.8] {
                let p = probability(theta, a, d, g)
                let expected = p * negativeSecond({ log(self.probability($0, a, d, g)) }, at: theta)
                    + (1 - p) * negativeSecond({ log(1 - self.probability($0, a, d, g)) }, at: theta)
                let info = ItemInformation.fisher(theta: theta, a: a, d: d, g: g, response: .bernoulli, phi: .nan)
                XCTAssertEqual(info, expected, accuracy: 1e-5 * max(expected, 1e-3), "a=\(a) d=\(d) g=\(g) θ=\(theta)")
                // Binomial: n trials carry n times the information.
                XCTAssertEqual(ItemInformation.fisher(theta: theta, a: a, d: d, g: g, response: .binomial, phi: .nan, trials: 7),
                               7 * info, accuracy: 1e-12 * max(info, 1))
            }
        }
    }

    /// At the same linear predictor the information scales with a², and for
    /// g = 0 it is the textbook a² σ(1 − σ).
    func testBernoulliInformationScalesWithSquaredSlope() {
        for eta in [-2.0, 0.0, 0.7] {
            for g in [0.0, 0.25] {
                let one = ItemInformation.fisher(theta: eta, a: 1, d: 0, g: g, response: .bernoulli, phi: .nan)
                let three = ItemInformation.fisher(theta: eta / 3, a: 3, d: 0, g: g, response: .bernoulli, phi: .nan)
                XCTAssertEqual(three, 9 * one, accuracy: 1e-12)
            }
            let s = 1 / (1 + exp(-eta))
            XCTAssertEqual(ItemInformation.fisher(theta: eta, a: 1, d: 0, g: 0, response: .bernoulli, phi: .nan), s * (1 - s), accuracy: 1e-14)
        }
        // A floor removes information: with g = 0.25 an item tells less at every ability.
        for theta in [-2.0, 0.0, 2.0] {
            XCTAssertLessThan(ItemInformation.fisher(theta: theta, a: 1.5, d: 0, g: 0.25, response: .bernoulli, phi: .nan),
                              ItemInformation.fisher(theta: theta, a: 1.5, d: 0, g: 0, response: .bernoulli, phi: .nan))
        }
    }

    /// E[log Y] and E[log(1 − Y)] of Beta(α, β) by quadrature in t = logit(y)
    /// (the density there is y^α (1 − y)^β / B(α, β)), with the C library's lgamma.
    func betaLogMoments(_ alpha: Double, _ beta: Double) -> (Double, Double) {
        let logB = lgamma(alpha) + lgamma(beta) - lgamma(alpha + beta)
        let h = 0.002
        var m1 = 0.0, m2 = 0.0, mass = 0.0
        var t = -120.0
        while t <= 120 {
            let logY = -log1p(exp(-t)), log1mY = -log1p(exp(t))
            let w = exp(alpha * logY + beta * log1mY - logB)
            m1 += w * logY; m2 += w * log1mY; mass += w
            t += h
        }
        XCTAssertEqual(mass * h, 1, accuracy: 1e-9, "quadrature mass α=\(alpha) β=\(beta)")
        return (m1 / mass, m2 / mass)
    }

    /// Beta: a²φ²[μ(1−μ)]²(ψ′(μφ) + ψ′((1−μ)φ)) times the link terms
    /// ((1 − g)σ(1 − σ) with a floor) equals −f″(θ₀), where
    /// f(θ) = E_{y ~ θ₀}[ℓ(θ; y)] is linear in E[log y] and E[log(1 − y)].
    func testBetaInformationIsExpectedNegativeSecondDerivative() {
        for (a, d, g, phi) in [(1.0, 0.0, 0.0, 12.0), (1.8, -0.5, 0.0, 25.0), (0.7, 1.2, 0.0, 6.0), (1.4, 0.3, 0.2, 15.0), (-1.1, 0.2, 0.0, 9.0)] {
            for theta in [-1.5, 0.0, 0.9, 2.0] {
                let mu0 = probability(theta, a, d, g)
                let (eLogY, eLog1mY) = betaLogMoments(mu0 * phi, (1 - mu0) * phi)
                func f(_ t: Double) -> Double {
                    let mu: Double = probability(t, a, d, g)
                    let normaliser: Double = lgamma(phi) - lgamma(mu * phi) - lgamma((1 - mu) * phi)
                    let kernel: Double = (mu * phi - 1) * eLogY + ((1 - mu) * phi - 1) * eLog1mY
                    return normaliser + kernel
                }
                let expected = negativeSecond(f, at: theta)
                let info = ItemInformation.fisher(theta: theta, a: a, d: d, g: g, response: .beta, phi: phi)
                XCTAssertEqual(info, expected, accuracy: 2e-4 * max(expected, 1e-2), "a=\(a) d=\(d) g=\(g) φ=\(phi) θ=\(theta)")
                if g == 0 {
                    let link: Double = pow(mu0 * (1 - mu0), 2)
                    let psi: Double = trigamma(mu0 * phi) + trigamma((1 - mu0) * phi)
                    let closed: Double = a * a * phi * phi * link * psi
                    XCTAssertEqual(info, closed, accuracy: 1e-10 * closed)
                }
            }
        }
    }

    /// A Beta response carries more information than a 0/1 outcome of the
    /// same item (φ + 1 times, roughly, away from the extremes).
    func testBetaCarriesMoreInformationThanBernoulli() {
        let beta = ItemInformation.fisher(theta: 0.2, a: 1.2, d: 0, g: 0, response: .beta, phi: 20)
        let bernoulli = ItemInformation.fisher(theta: 0.2, a: 1.2, d: 0, g: 0, response: .bernoulli, phi: .nan)
        XCTAssertEqual(beta / bernoulli, 21, accuracy: 1.5)
    }

    func testIncompleteBetaClosedForms() {
        for x in [1e-4, 0.01, 0.3, 0.8] {
            for b in [0.5, 3.0, 40.0] {
                XCTAssertEqual(exp(CensoredBeta.logLowerTail(x, 1, b)), 1 - pow(1 - x, b), accuracy: 1e-12)
                XCTAssertEqual(exp(CensoredBeta.logLowerTail(x, b, 1)), pow(x, b), accuracy: 1e-12 * max(1, pow(x, b)))
            }
            let i = exp(CensoredBeta.logLowerTail(x, 2.5, 7.0)), j = exp(CensoredBeta.logLowerTail(1 - x, 7.0, 2.5))
            XCTAssertEqual(i + j, 1, accuracy: 1e-12)
        }
    }

    /// The censored-response information tends to the Beta formula when
    /// nothing is censored, is lower where responses pile up within ε of 0,
    /// and is the variance of the censored score (Monte Carlo).
    func testCensoredBetaInformation() {
        let (mu, phi) = (0.3, 15.0)
        let full = phi * phi * (trigamma(mu * phi) + trigamma((1 - mu) * phi))
        XCTAssertEqual(CensoredBeta.meanInformation(mu: mu, phi: phi, epsilon: 1e-12, points: 4000), full, accuracy: 1e-4 * full)
        XCTAssertEqual(CensoredBeta.meanInformation(mu: mu, phi: phi), full, accuracy: 1e-3 * full)

        let (muX, phiX) = (0.008, 12.0)         // μφ ≈ 0.1: most responses below ε = 1e-4
        let fullX = phiX * phiX * (trigamma(muX * phiX) + trigamma((1 - muX) * phiX))
        let censored = CensoredBeta.meanInformation(mu: muX, phi: phiX)
        XCTAssertLessThan(censored, 0.5 * fullX)
        XCTAssertEqual(CensoredBetaTable(phi: phiX).information(mu: muX), censored, accuracy: 0.01 * censored)
        var rng = RandomSource(seed: 42)
        var sum = 0.0
        let draws = 60_000
        let eps = CensoredBeta.epsilon
        for _ in 0..<draws {
            let y = rng.beta(muX * phiX, (1 - muX) * phiX)
            let s: Double
            if y <= eps || y >= 1 - eps {
                s = CensoredBeta.logTailAndScore(mu: muX, phi: phiX, upper: y >= 1 - eps).dMu
            } else {
                s = phiX * (log(y) - log(1 - y) - digamma(muX * phiX) + digamma((1 - muX) * phiX))
            }
            sum += s * s
        }
        XCTAssertEqual(sum / Double(draws), censored, accuracy: 0.05 * censored)
    }

    /// Var(z²) of a standardised residual, against direct sums (Bernoulli)
    /// and Monte Carlo (Beta).
    func testVarianceOfSquaredResidual() {
        for p in [0.05, 0.3, 0.5, 0.9] {
            let z1 = (1 - p) / p, z0 = p / (1 - p)
            let direct = p * z1 * z1 + (1 - p) * z0 * z0 - 1
            XCTAssertEqual(ItemInformation.varianceOfSquaredResidual(p: p, response: .bernoulli, phi: .nan), direct, accuracy: 1e-10)
        }
        var rng = RandomSource(seed: 7)
        let (p, phi) = (0.2, 10.0)
        let v = ItemInformation.variance(p: p, response: .beta, phi: phi)
        var m1 = 0.0, m2 = 0.0
        let n = 200_000
        for _ in 0..<n {
            let z2 = pow(rng.beta(p * phi, (1 - p) * phi) - p, 2) / v
            m1 += z2; m2 += z2 * z2
        }
        XCTAssertEqual(m1 / Double(n), 1, accuracy: 0.02)
        XCTAssertEqual(m2 / Double(n) - pow(m1 / Double(n), 2),
                       ItemInformation.varianceOfSquaredResidual(p: p, response: .beta, phi: phi), accuracy: 0.06 * (m2 / Double(n)))
    }
}
