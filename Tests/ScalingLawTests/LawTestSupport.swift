import Calibration
import MessagePassing
import Foundation
import IRT
import ScalingLaw
import Store
import Simulation

/// A simulated response matrix held in memory, and an in-process calibration
/// of any subset of its rows (what the backtest does, here under the test's control).
struct SimulatedMatrix {
    let sim: Simulator
    let responses: [Float]
    let trials: [Int32]

    init(_ spec: SimulationSpec) {
        let sim = Simulator(spec)
        self.sim = sim
        var r = [Float](repeating: .nan, count: spec.models * spec.items)
        var t = [Int32](repeating: 0, count: spec.response == .binomial ? spec.models * spec.items : 0)
        r.withUnsafeMutableBufferPointer { rb in
            t.withUnsafeMutableBufferPointer { tb in
                sim.fill(rows: 0..<spec.models, responses: rb, trials: spec.response == .binomial ? tb : nil)
            }
        }
        responses = r
        trials = t
    }

    var n: Int { sim.spec.items }

    var covariates: [ModelCovariates] {
        (0..<sim.spec.models).map {
            ModelCovariates(name: sim.modelNames[$0], family: sim.familyNames[$0],
                            params: sim.params[$0], tokens: sim.tokens[$0], flops: sim.flops[$0])
        }
    }

    /// Calibrates rows `rows` (K = dims, the simulator's likelihood) and returns
    /// their abilities [rows × K] and the item parameters.
    func calibrate(rows: [Int], dims: Int = 1) throws -> (theta: [Double], items: CalibratedItems) {
        var options = FitOptions()
        options.dims = dims
        options.response = sim.spec.response
        let n = self.n
        var y = [Float](repeating: .nan, count: rows.count * n)
        var t: [Float]? = sim.spec.response == .binomial ? [Float](repeating: 0, count: rows.count * n) : nil
        for (i, m) in rows.enumerated() {
            for j in 0..<n {
                y[i * n + j] = responses[m * n + j]
                if t != nil { t![i * n + j] = Float(trials[m * n + j]) }
            }
        }
        let fitted = try Calibration.calibrate(CalibrationData(matrix: y, trials: t, rows: rows.count, itemIDs: sim.itemIDs,
                                                               itemBenchmarks: sim.itemBenchmarks, floors: sim.g,
                                                               response: options.response, path: "simulated"),
                                               options: options)
        return (fitted.theta, fitted.calibratedItems)
    }

    /// Mean response of row `m` on each benchmark.
    func benchmarkScores(_ m: Int) -> [Double] {
        var sum = [Double](repeating: 0, count: sim.spec.benchmarks), count = sum
        for j in 0..<n where !responses[m * n + j].isNaN {
            sum[sim.benchmarkOfItem[j]] += Double(responses[m * n + j]); count[sim.benchmarkOfItem[j]] += 1
        }
        return zip(sum, count).map { $0 / $1 }
    }
}

func sampleSD(_ v: [Double]) -> Double {
    let m = v.reduce(0, +) / Double(v.count)
    return (v.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(v.count - 1)).squareRoot()
}
