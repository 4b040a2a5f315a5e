import XCTest
import IRT
import HTMLReport

final class ItemInformationTests: XCTestCase {
    func testBernoulliWithoutFloorIsASquaredTimesPQ() {
        for theta in [-2.0, 0, 1.3] {
            let a = 1.7, d = -0.4
            let p = sigmoid(a * theta + d)
            XCTAssertEqual(ItemInformation.fisher(theta: theta, a: a, d: d, g: 0, response: "bernoulli", phi: .nan),
                           a * a * p * (1 - p), accuracy: 1e-12)
        }
    }

    func testThreePLMatchesTheSquaredSlopeOfP() {
        // I(θ) = P'(θ)² / (P(1 − P)) for a Bernoulli item; P' by central differences.
        let a = 1.2, d = 0.3, g = 0.25
        func P(_ t: Double) -> Double { g + (1 - g) * sigmoid(a * t + d) }
        for theta in [-3.0, -1, 0, 2] {
            let h = 1e-5
            let dp = (P(theta + h) - P(theta - h)) / (2 * h)
            let expected = dp * dp / (P(theta) * (1 - P(theta)))
            XCTAssertEqual(ItemInformation.fisher(theta: theta, a: a, d: d, g: g, response: "bernoulli", phi: .nan),
                           expected, accuracy: 1e-8 * max(expected, 1))
            XCTAssertEqual(ItemInformation.fisher(theta: theta, a: a, d: d, g: g, response: "binomial", phi: .nan),
                           expected, accuracy: 1e-8 * max(expected, 1), "binomial is drawn per trial")
        }
    }

    func testBetaMatchesTheDocumentedFormula() {
        let a = 0.9, d = 0.2, phi = 25.0
        for theta in [-1.5, 0, 0.8] {
            let s = sigmoid(a * theta + d)
            let mu = s, slope = s * (1 - s)
            let expected = a * a * phi * phi * slope * slope * (trigamma(mu * phi) + trigamma((1 - mu) * phi))
            XCTAssertEqual(ItemInformation.fisher(theta: theta, a: a, d: d, g: 0, response: "beta", phi: phi),
                           expected, accuracy: 1e-10 * expected)
        }
        // A Beta score tells more than a coin flip at the same item.
        XCTAssertGreaterThan(ItemInformation.fisher(theta: 0, a: a, d: d, g: 0, response: "beta", phi: phi),
                             ItemInformation.fisher(theta: 0, a: a, d: d, g: 0, response: "bernoulli", phi: .nan))
        XCTAssertTrue(ItemInformation.fisher(theta: 0, a: a, d: d, g: 0, response: "beta", phi: .nan).isNaN)
    }

    func testCurveSumsItemsAndPeaksNearTheDifficulty() {
        let items = [(a: 2.0, d: -2.0, g: 0.0), (a: 2.0, d: -2.0, g: 0.0)]   // b = 1
        let grid = stride(from: -3.0, through: 3.0, by: 0.1).map { $0 }
        let curve = ItemInformation.curve(grid: grid, items: items, response: "bernoulli", phi: .nan)
        let peak = grid[curve.firstIndex(of: curve.max()!)!]
        XCTAssertEqual(peak, 1, accuracy: 0.051)
        XCTAssertEqual(curve.max()!, 2 * 4 * 0.25, accuracy: 1e-3)
    }
}
