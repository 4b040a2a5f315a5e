import Calibration
import MessagePassing
import IRT
import Simulation
import XCTest

/// Empirical-Bayes item priors: the EM update itself, and recovery with few
/// and with many models against pure joint ML.
final class PriorTests: XCTestCase {
    /// The update is the EM M-step: mean of the estimates, variance = their
    /// spread plus the mean posterior variance (the curvature correction);
    /// small benchmarks share the pooled group; loadings on dimensions ≥ 2
    /// keep mean 0.
    func testEMUpdateWithCurvatureCorrection() {
        let bench: [Int32] = Array(repeating: 0, count: 30) + Array(repeating: 1, count: 5) + Array(repeating: 2, count: 4)
        var prior = ItemPrior(mode: .empiricalBayes, benchmarkOfItem: bench, benchmarkCount: 3, dims: 2, twoPL: true, ridge: 0.01)
        XCTAssertEqual(prior.groupCount, 2, "benchmarks 1 and 2 are below the minimum size and pooled")
        XCTAssertEqual(prior.group[30], prior.group[38])
        XCTAssertNotEqual(prior.group[0], prior.group[30])
        let values: (Int, Int) -> Double? = { j, c in [1.0 + Double(j % 3) * 0.1, 0.5, Double(j) / 10][c] }
        prior.update(items: bench.count, value: values, posteriorVariance: { _, _ in 0.04 })
        let g = Int(prior.group[0]), p = prior.slots
        let xs = (0..<30).map { 1.0 + Double($0 % 3) * 0.1 }
        let mean = xs.reduce(0, +) / 30
        XCTAssertEqual(prior.mean[g * p], mean, accuracy: 1e-12)
        XCTAssertEqual(prior.mean[g * p + 1], 0, "dimension-2 loadings are shrunk toward 0")
        // First update: the over-relaxation factor is 1, so this is the plain EM value.
        let spread = xs.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 30
        XCTAssertEqual(prior.variance[g * p], spread + 0.04, accuracy: 1e-12)
        XCTAssertEqual(prior.variance[g * p + 1], 0.25 + 0.04, accuracy: 1e-12)
        // `none` never moves: the fixed ridge, mean 0.
        var none = ItemPrior(mode: .none, benchmarkOfItem: bench, benchmarkCount: 3, dims: 2, twoPL: true, ridge: 0.01)
        none.update(items: bench.count, value: values, posteriorVariance: { _, _ in 0.04 })
        XCTAssertEqual(none.precision(item: 0, slot: 0), 0.01, accuracy: 1e-15)
        XCTAssertEqual(none.mean(item: 0, slot: 2), 0)
    }

    struct Errors { var a: Double; var d: Double; var converged: Bool }

    /// RMSE of a and d against the truth after mapping the fit's ability
    /// scale onto the truth's (θ_fit = α + β·θ_true, so a·β and d + a·α are
    /// the truth-scale parameters).
    func errors(models: Int, items: Int, prior: PriorMode, seed: UInt64) -> Errors {
        var s = SimulationSpec()
        s.models = models; s.items = items; s.response = .bernoulli; s.benchmarks = 5; s.seed = seed
        let sim = Simulator(s)
        var y = [Float](repeating: 0, count: models * items)
        y.withUnsafeMutableBufferPointer { sim.fill(rows: 0..<models, responses: $0, trials: nil) }
        var shard = Shard(rowStart: 0, rows: models, items: items, responses: y)
        XCTAssertNoThrow(try shard.prepare(for: .bernoulli, path: "memory", itemIDs: sim.itemIDs))
        var o = FitOptions(); o.response = .bernoulli; o.prior = prior
        let c = Calibrator(options: o, comm: SerialCommunicator(), totalModels: models, shard: shard,
                           floors: [Double](repeating: 0, count: items),
                           benchmarkOfItem: sim.benchmarkOfItem.map(Int32.init), benchmarkCount: s.benchmarks)
        let summary = c.fit()
        let t = sim.theta, f = c.theta
        let mt = t.reduce(0, +) / Double(models), mf = f.reduce(0, +) / Double(models)
        var sxy = 0.0, sxx = 0.0
        for i in 0..<models { sxy += (t[i] - mt) * (f[i] - mf); sxx += (t[i] - mt) * (t[i] - mt) }
        let beta = sxy / sxx, alpha = mf - beta * mt
        var ea = 0.0, ed = 0.0
        for j in 0..<items {
            let a = c.items.a[j] * beta, d = c.items.d[j] + c.items.a[j] * alpha
            ea += (a - sim.a[j]) * (a - sim.a[j]); ed += (d - sim.d[j]) * (d - sim.d[j])
        }
        return Errors(a: (ea / Double(items)).squareRoot(), d: (ed / Double(items)).squareRoot(), converged: summary.converged)
    }

    /// 20 models: shrinkage must beat pure joint ML on both a and d.
    func testFewModelsRecoverBetterWithEmpiricalBayes() {
        let eb = errors(models: 20, items: 2000, prior: .empiricalBayes, seed: 3)
        let ml = errors(models: 20, items: 2000, prior: .none, seed: 3)
        XCTAssertTrue(eb.converged)
        XCTAssertLessThan(eb.a, 0.8 * ml.a, "a: EB \(eb.a) vs ML \(ml.a)")
        XCTAssertLessThan(eb.d, ml.d, "d: EB \(eb.d) vs ML \(ml.d)")
    }

    /// 2,000 models: the prior fades; EB is no worse than joint ML.
    func testManyModelsRecoveryUnchanged() {
        let eb = errors(models: 2000, items: 1000, prior: .empiricalBayes, seed: 4)
        let ml = errors(models: 2000, items: 1000, prior: .none, seed: 4)
        XCTAssertTrue(eb.converged)
        XCTAssertLessThan(eb.a, 1.05 * ml.a + 1e-3, "a: EB \(eb.a) vs ML \(ml.a)")
        XCTAssertLessThan(eb.d, 1.05 * ml.d + 1e-3, "d: EB \(eb.d) vs ML \(ml.d)")
    }
}
