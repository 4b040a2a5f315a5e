import Foundation
import IRT
import XCTest

/// The per-response math shared by selection, scoring, laws and the report,
/// against values computed independently (closed forms, tables).
final class ResponseMathTests: XCTestCase {
    func testNormalQuantileReferenceValues() {
        // Φ⁻¹ from standard tables (R's qnorm to 16 digits).
        XCTAssertEqual(normalQuantile(0.5), 0, accuracy: 1e-15)
        XCTAssertEqual(normalQuantile(0.975), 1.959963984540054, accuracy: 1e-12)
        XCTAssertEqual(normalQuantile(0.95), 1.6448536269514715, accuracy: 1e-12)
        XCTAssertEqual(normalQuantile(0.001), -3.090232306167813, accuracy: 1e-11)
        XCTAssertEqual(normalQuantile(0.02), -2.0537489106318225, accuracy: 1e-11, "lower tail branch")
        XCTAssertEqual(normalQuantile(0.99), 2.3263478740408408, accuracy: 1e-11, "upper tail branch")
        XCTAssertEqual(normalQuantile(1e-10), -6.361340902404056, accuracy: 1e-9)
        XCTAssertEqual(normalQuantile(0.3), -normalQuantile(0.7), accuracy: 1e-14)
    }

    func testFisherInformationReferenceValues() {
        // Bernoulli, g = 0, at the difficulty: a² · 1/4.
        XCTAssertEqual(ItemInformation.fisher(theta: 0.5, a: 2, d: -1, g: 0, response: .bernoulli, phi: .nan), 1, accuracy: 1e-15)
        // Binomial is t Bernoulli trials.
        XCTAssertEqual(ItemInformation.fisher(theta: 0.5, a: 2, d: -1, g: 0, response: .binomial, phi: .nan, trials: 10), 10, accuracy: 1e-13)
        // 3PL at η = 0 with g = 1/2: P = 3/4, P′ = 1/8, I = (1/64) / (3/16) = 1/12.
        XCTAssertEqual(ItemInformation.fisher(eta: 0, floor: 0.5, response: .bernoulli, phi: .nan), 1.0 / 12, accuracy: 1e-15)
        // Beta at μ = 1/2, φ = 2: φ² · 2ψ′(1) · (1/4)² = π²/12.
        XCTAssertEqual(ItemInformation.fisher(eta: 0, floor: 0, response: .beta, phi: 2), Double.pi * Double.pi / 12, accuracy: 1e-9)
        // The weight w(η) is the likelihoods' own expected information.
        for (eta, g, phi) in [(-1.3, 0.0, 8.0), (0.4, 0.25, 30.0), (2.0, 0.1, 3.0)] {
            XCTAssertEqual(ItemInformation.fisher(eta: eta, floor: g, response: .beta, phi: phi),
                           BetaLikelihood.scoreAndFisher(y: 0.3, trials: 1, eta: eta, floor: g, phi: phi).fisher, accuracy: 1e-10)
            XCTAssertEqual(ItemInformation.fisher(eta: eta, floor: g, response: .binomial, phi: .nan, trials: 4),
                           BinomialLikelihood.scoreAndFisher(y: 0.3, trials: 4, eta: eta, floor: g, phi: .nan).fisher, accuracy: 1e-12)
        }
    }

    func testResponseVarianceReferenceValues() {
        XCTAssertEqual(ItemInformation.variance(p: 0.2, response: .bernoulli, phi: .nan), 0.16, accuracy: 1e-15)
        XCTAssertEqual(ItemInformation.variance(p: 0.2, response: .binomial, phi: .nan, trials: 4), 0.04, accuracy: 1e-15)
        XCTAssertEqual(ItemInformation.variance(p: 0.2, response: .beta, phi: 15), 0.01, accuracy: 1e-15)
        // Var(z²) of a Bernoulli residual: 1/(pq) − 4.
        XCTAssertEqual(ItemInformation.varianceOfSquaredResidual(p: 0.2, response: .bernoulli, phi: .nan), 1 / 0.16 - 4, accuracy: 1e-12)
    }
}
