import Foundation
import ScalingLaw
import Simulation
import XCTest

/// The per-model precision behind the pass@k posterior: recovered from many
/// questions' counts, shrunk to the benchmark's φ from few, and the maximum
/// of its objective.
final class ModelPrecisionTests: XCTestCase {
    /// Counts c_j of n drawn from the beta-binomial with mean μ_j and precision φ.
    func draw(questions: Int, phi: Double, samples n: Int, seed: UInt64) -> (mu: [Double], c: [Double], n: [Double]) {
        var rng = RandomSource(seed: seed)
        var mu: [Double] = [], c: [Double] = []
        for _ in 0..<questions {
            let m = 0.05 + 0.9 * rng.uniform()
            let q = rng.beta(m * phi, (1 - m) * phi)
            mu.append(m); c.append(Double(rng.binomial(n, q)))
        }
        return (mu, c, [Double](repeating: Double(n), count: questions))
    }

    func testRecoversEachModelsPrecisionFromManyQuestions() {
        for (truth, benchmark) in [(0.3, 3.0), (5.0, 0.5), (1.0, 1.0)] {
            let d = draw(questions: 3_000, phi: truth, samples: 3, seed: 7)
            let phi = ModelPrecision.estimate(mu: d.mu, successes: d.c, samples: d.n, benchmarkPhi: benchmark)
            XCTAssertEqual(log(phi), log(truth), accuracy: 0.25, "true φ \(truth), benchmark's \(benchmark): got \(phi)")
        }
    }

    func testFewQuestionsStayNearTheBenchmarksPrecision() {
        let many = draw(questions: 3_000, phi: 0.3, samples: 3, seed: 11)
        let few = draw(questions: 4, phi: 0.3, samples: 3, seed: 11)
        let fromMany = ModelPrecision.estimate(mu: many.mu, successes: many.c, samples: many.n, benchmarkPhi: 3)
        let fromFew = ModelPrecision.estimate(mu: few.mu, successes: few.c, samples: few.n, benchmarkPhi: 3)
        XCTAssertLessThan(abs(log(fromFew) - log(3)), abs(log(fromMany) - log(3)) * 0.7, "few \(fromFew), many \(fromMany)")
        XCTAssertEqual(ModelPrecision.estimate(mu: [], successes: [], samples: [], benchmarkPhi: 3), 3)
    }

    func testEstimateIsTheMaximumOfTheObjectiveOnAGrid() {
        let d = draw(questions: 200, phi: 0.8, samples: 5, seed: 3)
        let phi = ModelPrecision.estimate(mu: d.mu, successes: d.c, samples: d.n, benchmarkPhi: 2)
        func f(_ x: Double) -> Double { ModelPrecision.logPosterior(logPhi: x, mu: d.mu, successes: d.c, samples: d.n, benchmarkPhi: 2) }
        let grid = stride(from: log(2.0) - 8, through: log(2.0) + 8, by: 0.001).map { $0 }
        let best = grid.max { f($0) < f($1) }!
        XCTAssertEqual(log(phi), best, accuracy: 0.002)
        XCTAssertGreaterThanOrEqual(f(log(phi)), f(best) - 1e-6)
    }
}
