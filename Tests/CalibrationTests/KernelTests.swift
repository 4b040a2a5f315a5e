import Calibration
import Distributed
import IRT
import Simulation
import XCTest

/// The vectorised C kernels against the plain Swift reference loop: the same
/// iterations from the same start must give the same parameters.
final class KernelTests: XCTestCase {
    func compare(_ response: ResponseModel, model: ItemModel, floor: Double = 0, missing: Double = 0.2) {
        var s = SimulationSpec()
        s.models = 120; s.items = 400; s.benchmarks = 4; s.response = response; s.floor = floor; s.missing = missing; s.seed = 9
        let sim = Simulator(s)
        var y = [Float](repeating: 0, count: s.models * s.items)
        var t = [Int32](repeating: 0, count: response == .binomial ? y.count : 0)
        y.withUnsafeMutableBufferPointer { yb in t.withUnsafeMutableBufferPointer { sim.fill(rows: 0..<s.models, responses: yb, trials: $0.isEmpty ? nil : $0) } }
        func run(_ kernels: Bool) -> Calibrator {
            var o = FitOptions()
            o.response = response; o.model = model; o.vectorKernels = kernels
            var shard = Shard(rowStart: 0, rows: s.models, items: s.items, responses: y, trials: t.isEmpty ? nil : t.map(Float.init))
            try! shard.prepare(for: response, path: "memory", itemIDs: sim.itemIDs)
            let c = Calibrator(options: o, comm: SerialCommunicator(), totalModels: s.models, shard: shard, floors: sim.g,
                               benchmarkOfItem: sim.benchmarkOfItem.map(Int32.init), benchmarkCount: s.benchmarks)
            for _ in 0..<4 { _ = c.iterate() }
            return c
        }
        let fast = run(true), reference = run(false)
        func close(_ x: [Double], _ y: [Double], _ what: String) {
            for i in x.indices { XCTAssertEqual(x[i], y[i], accuracy: 1e-9 * max(1, abs(y[i])), "\(what)[\(i)] \(response) \(model)") }
        }
        close(fast.theta, reference.theta, "theta")
        close(fast.items.a, reference.items.a, "a")
        close(fast.items.d, reference.items.d, "d")
        close(fast.items.phi, reference.items.phi, "phi")
        // The observed-information pass behind the standard errors.
        let seFast = fast.standardErrors(), seReference = reference.standardErrors()
        close(seFast.thetaSE, seReference.thetaSE, "theta SE")
        close(seFast.aSE, seReference.aSE, "a SE")
        close(seFast.dSE, seReference.dSE, "d SE")
    }

    func testBeta2PL() { compare(.beta, model: .twoPL) }
    func testBetaWithFloor() { compare(.beta, model: .twoPL, floor: 0.25) }
    func testBernoulli2PL() { compare(.bernoulli, model: .twoPL) }
    func testBinomial1PL() { compare(.binomial, model: .onePL) }
}
