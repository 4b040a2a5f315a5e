import IRT
import Simulation
import XCTest

final class SimulatorTests: XCTestCase {
    func spec(_ response: ResponseModel, missing: Double = 0) -> SimulationSpec {
        var s = SimulationSpec()
        s.models = 40; s.items = 300; s.benchmarks = 3; s.response = response; s.missing = missing; s.seed = 7
        return s
    }

    func rows(_ sim: Simulator, _ range: Range<Int>) -> [Float] {
        var out = [Float](repeating: 0, count: range.count * sim.spec.items)
        out.withUnsafeMutableBufferPointer { sim.fill(rows: range, responses: $0, trials: nil) }
        return out
    }

    /// A row's values depend only on the seed and the row, not on how rows are blocked.
    func testRowsAreIndependentOfBlocking() {
        let sim = Simulator(spec(.beta, missing: 0.2))
        let all = rows(sim, 0..<40)
        let part = rows(sim, 17..<23)
        let n = sim.spec.items
        for i in 0..<part.count {
            let a = all[17 * n + i], b = part[i]
            XCTAssertTrue(a == b || (a.isNaN && b.isNaN))
        }
    }

    func testSameSeedSameTruthDifferentSeedDifferent() {
        XCTAssertEqual(Simulator(spec(.beta)).theta, Simulator(spec(.beta)).theta)
        var other = spec(.beta); other.seed = 8
        XCTAssertNotEqual(Simulator(other).theta, Simulator(spec(.beta)).theta)
    }

    func testResponsesMatchTheirModel() {
        let n = 300
        for response in ResponseModel.allCases {
            var s = spec(response, missing: 0.3)
            s.models = 200
            let sim = Simulator(s)
            var values = [Float](repeating: 0, count: 200 * n)
            var trials = [Int32](repeating: 0, count: 200 * n)
            values.withUnsafeMutableBufferPointer { v in trials.withUnsafeMutableBufferPointer { sim.fill(rows: 0..<200, responses: v, trials: $0) } }
            var missing = 0, residual = 0.0, count = 0
            for i in values.indices {
                let y = values[i]
                if y.isNaN { missing += 1; continue }
                XCTAssertTrue(y >= 0 && y <= 1)
                switch response {
                case .bernoulli: XCTAssertTrue(y == 0 || y == 1)
                case .binomial, .betaBinomial:
                    XCTAssertEqual(trials[i], 10)
                    XCTAssertEqual(Double(y) * 10, (Double(y) * 10).rounded(), accuracy: 1e-5)
                case .beta: break
                }
                residual += Double(y) - sim.probability(row: i / n, item: i % n)
                count += 1
            }
            XCTAssertEqual(Double(missing) / Double(values.count), 0.3, accuracy: 0.01, "\(response)")
            // Responses are unbiased for the true success probability.
            XCTAssertEqual(residual / Double(count), 0, accuracy: 0.01, "\(response)")
        }
    }

    func testAbilitiesFollowComputeLaw() {
        var s = spec(.beta); s.models = 2000
        let sim = Simulator(s)
        let r = Agreement.pearson(sim.log10Flops, sim.theta)
        XCTAssertGreaterThan(r, 0.7)
        XCTAssertEqual(sim.flops[0], 6 * sim.params[0] * sim.tokens[0], accuracy: 1e-6 * sim.flops[0])
    }

    func testGammaAndBetaSamplersHaveTheRightMoments() {
        var rng = RandomSource(seed: 3)
        for shape in [0.3, 1.0, 4.5] {
            let draws = (0..<100_000).map { _ in rng.gamma(shape: shape) }
            let mean = draws.reduce(0, +) / Double(draws.count)
            XCTAssertEqual(mean, shape, accuracy: 0.03 * max(1, shape))
        }
        let b = (0..<100_000).map { _ in rng.beta(2, 6) }
        let mean = b.reduce(0, +) / Double(b.count)
        let variance = b.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(b.count)
        XCTAssertEqual(mean, 0.25, accuracy: 0.005)
        XCTAssertEqual(variance, 0.25 * 0.75 / 9, accuracy: 0.001)
    }
}
