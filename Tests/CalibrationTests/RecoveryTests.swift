import Calibration
import MessagePassing
import IRT
import Simulation
import XCTest

/// Recovery of known truth: the proof that the estimator is right.
/// Fits run in-process on one rank; the MPI tests (CLITests) show that more
/// ranks give the same answer. The 1000-model recoveries run in the full
/// tier (FullTier.swift); the smaller ones in the unit tier.
final class RecoveryTests: XCTestCase {
    struct Fitted {
        let sim: Simulator
        let calibrator: Calibrator
        let summary: FitSummary
        var thetaR: Double { Agreement.pearson(sim.theta, calibrator.theta) }
        var aR: Double { Agreement.pearson(sim.a, calibrator.items.a) }
        var dR: Double { Agreement.pearson(sim.d, calibrator.items.d) }
    }

    func fit(_ spec: SimulationSpec, options: FitOptions, file floors: Bool = false, edit: ((inout [Float]) -> Void)? = nil) -> Fitted {
        let sim = Simulator(spec)
        var y = [Float](repeating: 0, count: spec.models * spec.items)
        var t = [Int32](repeating: 0, count: spec.response == .binomial ? y.count : 0)
        y.withUnsafeMutableBufferPointer { yb in
            t.withUnsafeMutableBufferPointer { sim.fill(rows: 0..<spec.models, responses: yb, trials: $0.isEmpty ? nil : $0) }
        }
        edit?(&y)
        var shard = Shard(rowStart: 0, rows: spec.models, items: spec.items, responses: y,
                          trials: t.isEmpty ? nil : t.map(Float.init))
        XCTAssertNoThrow(try shard.prepare(for: options.response, path: "memory", itemIDs: sim.itemIDs))
        let calibrator = Calibrator(options: options, comm: SerialCommunicator(), totalModels: spec.models, shard: shard,
                                    floors: floors ? sim.g : [Double](repeating: 0, count: spec.items),
                                    benchmarkOfItem: sim.benchmarkOfItem.map(Int32.init), benchmarkCount: spec.benchmarks)
        let summary = calibrator.fit { r in if ProcessInfo.processInfo.environment["IRSL_TEST_VERBOSE"] != nil { print(ProgressLine.format(r)) } }
        return Fitted(sim: sim, calibrator: calibrator, summary: summary)
    }

    func spec(_ models: Int, _ items: Int, _ response: ResponseModel, seed: UInt64 = 11) -> SimulationSpec {
        var s = SimulationSpec()
        s.models = models; s.items = items; s.response = response; s.seed = seed; s.benchmarks = 5
        return s
    }

    func options(_ response: ResponseModel, dims: Int = 1) -> FitOptions {
        var o = FitOptions()
        o.response = response; o.dims = dims
        return o
    }

    func testBeta2PLAtThousandByTenThousand() throws {
        try requireFullTier()
        let f = fit(spec(1000, 10_000, .beta), options: options(.beta))
        XCTAssertTrue(f.summary.converged)
        XCTAssertGreaterThanOrEqual(f.thetaR, 0.99)
        XCTAssertGreaterThanOrEqual(f.aR, 0.97)
        XCTAssertGreaterThanOrEqual(f.dR, 0.97)
        // Beta precision per benchmark within 5 % of the truth.
        for (est, truth) in zip(f.calibrator.items.phi, f.sim.phi) {
            XCTAssertEqual(est, truth, accuracy: 0.05 * truth)
        }
        // Identification rule: abilities standardised.
        let th = f.calibrator.theta
        let mean = th.reduce(0, +) / Double(th.count)
        let sd = (th.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(th.count)).squareRoot()
        XCTAssertEqual(mean, 0, accuracy: 1e-6)
        XCTAssertEqual(sd, 1, accuracy: 1e-3)
    }

    func testBernoulli2PL() {
        let f = fit(spec(2000, 5000, .bernoulli), options: options(.bernoulli))
        XCTAssertTrue(f.summary.converged)
        XCTAssertGreaterThanOrEqual(f.thetaR, 0.99)
        XCTAssertGreaterThanOrEqual(f.aR, 0.97)
    }

    func testBinomialTenTrials() {
        var s = spec(1000, 5000, .binomial); s.trials = 10
        let f = fit(s, options: options(.binomial))
        XCTAssertTrue(f.summary.converged)
        XCTAssertGreaterThanOrEqual(f.thetaR, 0.99)
        XCTAssertGreaterThanOrEqual(f.aR, 0.97)
    }

    func testThirtyPercentMissing() throws {
        try requireFullTier()
        var s = spec(1000, 10_000, .beta); s.missing = 0.3
        let f = fit(s, options: options(.beta))
        XCTAssertTrue(f.summary.converged)
        XCTAssertGreaterThanOrEqual(f.thetaR, 0.99)
        XCTAssertGreaterThanOrEqual(f.aR, 0.97)
    }

    func testFixedFloorFromFile() throws {
        try requireFullTier()
        var s = spec(1000, 10_000, .beta); s.floor = 0.25
        var o = options(.beta); o.floorFromFile = true
        let f = fit(s, options: o, file: true)
        XCTAssertTrue(f.summary.converged)
        XCTAssertEqual(f.calibrator.items.g, f.sim.g)
        XCTAssertGreaterThanOrEqual(f.thetaR, 0.99)
        XCTAssertGreaterThanOrEqual(f.aR, 0.97)
    }

    /// K = 2 is identified up to rotation: each true dimension must be a
    /// linear function of the two estimated ones (R ≥ 0.99), and the items'
    /// loading lengths must agree.
    func testTwoDimensions() throws {
        try requireFullTier()
        var s = spec(1000, 6000, .beta); s.dims = 2
        let f = fit(s, options: options(.beta, dims: 2))
        XCTAssertTrue(f.summary.converged)
        let m = s.models
        for c in 0..<2 {
            let truth = (0..<m).map { f.sim.theta[$0 * 2 + c] }
            let r = Agreement.rSquared(truth, on: f.calibrator.theta, columns: 2).squareRoot()
            XCTAssertGreaterThanOrEqual(r, 0.99, "dimension \(c)")
        }
        // Discriminations agree once mapped into the truth's coordinates, dimension by dimension.
        let aligned = Agreement.alignedDiscriminations(estimatedTheta: f.calibrator.theta, estimatedA: f.calibrator.items.a, dims: 2,
                                                       trueTheta: f.sim.theta, trueDims: 2)
        for c in 0..<2 {
            let truth = (0..<s.items).map { f.sim.a[$0 * 2 + c] }
            let est = (0..<s.items).map { aligned[$0 * 2 + c] }
            XCTAssertGreaterThanOrEqual(Agreement.pearson(truth, est), 0.97, "a, dimension \(c)")
        }
        // Dimension 1 is the general factor (docs/estimator.md, "K > 1"): the loadings on it
        // carry most of the items' discrimination.
        var first = 0.0, second = 0.0
        for j in 0..<s.items {
            let a = f.calibrator.items.a
            first += a[j * 2] * a[j * 2]
            second += a[j * 2 + 1] * a[j * 2 + 1]
        }
        XCTAssertGreaterThan(first, second)
    }

    /// Joint MLE diverges for perfect rows and items; the ridge and norm
    /// constraints keep them finite and in the right order.
    func testPerfectRowsAndItemsStayFinite() {
        let s = spec(300, 1500, .bernoulli)
        let n = s.items
        let f = fit(s, options: options(.bernoulli)) { y in
            for j in 0..<n { y[0 * n + j] = 1; y[1 * n + j] = 0 }      // all-correct and all-wrong models
            for r in 0..<s.models { y[r * n + 5] = 1; y[r * n + 6] = 0 } // items everybody / nobody solves
        }
        XCTAssertTrue(f.summary.converged)
        let th = f.calibrator.theta
        XCTAssertTrue(th.allSatisfy(\.isFinite))
        XCTAssertTrue(f.calibrator.items.a.allSatisfy(\.isFinite) && f.calibrator.items.d.allSatisfy(\.isFinite))
        XCTAssertEqual(th[0], th.max()!)
        XCTAssertEqual(th[1], th.min()!)
        XCTAssertLessThanOrEqual(th.map(abs).max()!, FitOptions().thetaBound + 1e-9)
        XCTAssertEqual(f.calibrator.items.d[5], f.calibrator.items.d.max()!)
        XCTAssertEqual(f.calibrator.items.d[6], f.calibrator.items.d.min()!)
    }

    /// The Rasch model keeps every discrimination at 1.
    func testOnePL() {
        var o = options(.bernoulli); o.model = .onePL
        let f = fit(spec(800, 2000, .bernoulli), options: o)
        XCTAssertTrue(f.summary.converged)
        XCTAssertTrue(f.calibrator.items.a.allSatisfy { $0 == 1 })
        XCTAssertGreaterThanOrEqual(f.thetaR, 0.98)
        XCTAssertGreaterThanOrEqual(f.dR, 0.9)
    }

    /// Conditional standard errors shrink as more items inform an ability.
    func testStandardErrorsAreFiniteAndScaleWithData() {
        let f = fit(spec(300, 2000, .bernoulli), options: options(.bernoulli))
        let se = f.calibrator.standardErrors()
        XCTAssertTrue(se.thetaSE.allSatisfy { $0.isFinite && $0 > 0 })
        let mean = se.thetaSE.reduce(0, +) / Double(se.thetaSE.count)
        // Fisher information of 2,000 binary items at a ≈ 1 (scaled by the sd of θ) puts the SE near 0.05–0.1.
        XCTAssertGreaterThan(mean, 0.02)
        XCTAssertLessThan(mean, 0.2)
        XCTAssertTrue(se.aSE.allSatisfy { $0.isFinite && $0 > 0 })
    }
}
