import Calibration
import MessagePassing
import IRT
import Simulation
import XCTest

/// The Beta precision φ steps jointly with its benchmark's items
/// (`Calibrator.precisionSteps`): an item's (a, d) and φ trade off, and
/// separate steps from the same point overshoot along that direction, so
/// the fit crawled to its fixed point by an oscillation that halved per
/// iteration. The joint Newton step converges in a few.
final class PrecisionStepTests: XCTestCase {
    /// Iterations until the largest step falls below `below` (at most 60),
    /// in the Float64 reference loop, where no Float32 rounding blurs the tail.
    func iterationsToConverge(_ response: ResponseModel, below: Double) -> Int {
        var s = SimulationSpec()
        s.models = 300; s.items = 800; s.benchmarks = 2; s.response = response; s.seed = 5
        let sim = Simulator(s)
        var y = [Float](repeating: 0, count: s.models * s.items)
        y.withUnsafeMutableBufferPointer { sim.fill(rows: 0..<s.models, responses: $0, trials: nil) }
        var o = FitOptions()
        o.response = response; o.vectorKernels = false
        var shard = Shard(rowStart: 0, rows: s.models, items: s.items, responses: y, trials: nil)
        try! shard.prepare(for: response, path: "memory", itemIDs: sim.itemIDs)
        let cal = Calibrator(options: o, comm: SerialCommunicator(), totalModels: s.models, shard: shard,
                             floors: [Double](repeating: 0, count: s.items),
                             benchmarkOfItem: sim.benchmarkOfItem.map(Int32.init), benchmarkCount: s.benchmarks)
        for iteration in 1...60 {
            let (_, change) = cal.iterate()
            if ProcessInfo.processInfo.environment["IRSL_TEST_VERBOSE"] != nil { print("iteration \(iteration) max change \(change)") }
            if change < below { return iteration }
        }
        return 61
    }

    func testBetaConvergesInFewIterations() {
        let n = iterationsToConverge(.beta, below: 1e-6)
        // Separate item and φ steps took 16 iterations here (the step shrinking by about 0.4 per
        // iteration from the 4th on); the joint step takes 8.
        XCTAssertLessThanOrEqual(n, 10, "Beta 2PL 300 × 800: max step below 1e-6 after \(n) iterations")
    }
}
