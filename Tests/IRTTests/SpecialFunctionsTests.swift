import Foundation
import IRT
import XCTest

/// Reference values from SciPy (scipy.special.digamma, polygamma(1, ·), gammaln).
/// The series is documented to 1e-10 relative (first omitted term at z = 6).
final class SpecialFunctionsTests: XCTestCase {
    let reference: [(x: Double, digamma: Double, trigamma: Double, logGamma: Double)] = [
        (0.01, -100.56088545786868, 10001.621213528311, 4.599479878042022),
        (0.37, -2.7953014108905636, 8.360473827799098, 0.8769468194848791),
        (2.5, 0.7031566406452432, 0.4903577561002349, 0.2846828704729192),
        (7.0, 1.872784335098467, 0.15354517795933756, 6.579251212010101),
        (123.4, 4.8113737751162775, 0.008136651610865263, 469.3360974421906),
    ]

    func testAgainstSciPy() {
        for r in reference {
            let t = GammaTerms(r.x)
            XCTAssertEqual(t.digamma, r.digamma, accuracy: 1e-10 * max(1, abs(r.digamma)), "digamma(\(r.x))")
            XCTAssertEqual(t.trigamma, r.trigamma, accuracy: 1e-10 * max(1, abs(r.trigamma)), "trigamma(\(r.x))")
            XCTAssertEqual(t.logGamma, r.logGamma, accuracy: 1e-10 * max(1, abs(r.logGamma)), "logGamma(\(r.x))")
        }
    }

    func testClosedForms() {
        let gamma = 0.57721566490153286061
        XCTAssertEqual(digamma(1), -gamma, accuracy: 1e-10)
        XCTAssertEqual(digamma(0.5), -gamma - 2 * log(2.0), accuracy: 1e-10)
        XCTAssertEqual(trigamma(1), Double.pi * Double.pi / 6, accuracy: 1e-10)
        XCTAssertEqual(trigamma(0.5), Double.pi * Double.pi / 2, accuracy: 1e-10)
        XCTAssertEqual(GammaTerms(0.5).logGamma, 0.5 * log(Double.pi), accuracy: 1e-10)
    }

    func testAgreesWithLibmLogGammaAcrossRange() {
        var x = 1e-3
        while x < 1e4 {
            XCTAssertEqual(GammaTerms(x).logGamma, lgamma(x), accuracy: 1e-10 * max(1, abs(lgamma(x))), "x = \(x)")
            x *= 1.37
        }
    }

    func testDigammaIsDerivativeOfLogGammaAndTrigammaOfDigamma() {
        for x in [0.05, 0.8, 3.3, 5.99, 6.01, 40.0] {
            let h = 1e-5 * x
            let fd1 = (GammaTerms(x + h).logGamma - GammaTerms(x - h).logGamma) / (2 * h)
            let fd2 = (GammaTerms(x + h).digamma - GammaTerms(x - h).digamma) / (2 * h)
            XCTAssertEqual(GammaTerms(x).digamma, fd1, accuracy: 1e-6 * max(1, abs(fd1)))
            XCTAssertEqual(GammaTerms(x).trigamma, fd2, accuracy: 1e-6 * max(1, abs(fd2)))
        }
    }

    func testSigmoidTailsDoNotOverflow() {
        XCTAssertEqual(sigmoid(800), 1)
        XCTAssertEqual(sigmoid(-800), 0)
        XCTAssertEqual(sigmoid(0), 0.5)
        XCTAssertEqual(logit(sigmoid(1.7)), 1.7, accuracy: 1e-12)
    }
}
