import Calibration
import Foundation
import IRT
import Selection
import Simulation
import XCTest

/// Simulated matrices with known truth for the selection tests.
struct SimulatedData {
    let sim: Simulator
    /// [models × items], NaN = missing.
    var responses: [Float]

    init(models: Int, items: Int, benchmarks: Int, response: ResponseModel, seed: UInt64, floor: Double = 0, missing: Double = 0) {
        var spec = SimulationSpec()
        spec.models = models; spec.items = items; spec.benchmarks = benchmarks
        spec.response = response; spec.seed = seed; spec.floor = floor; spec.missing = missing
        let sim = Simulator(spec)
        self.sim = sim
        var y = [Float](repeating: 0, count: models * items)
        var t = [Int32](repeating: 0, count: response == .binomial ? models * items : 0)
        y.withUnsafeMutableBufferPointer { yb in
            t.withUnsafeMutableBufferPointer { sim.fill(rows: 0..<models, responses: yb, trials: $0.isEmpty ? nil : $0) }
        }
        responses = y
    }

    var models: Int { sim.spec.models }
    var items: Int { sim.spec.items }

    /// The bank of the generating parameters (abilities of `populationRows` as the population).
    func trueBank(populationRows: [Int]? = nil, betaTails: BetaTails = .clamped) throws -> ItemBank {
        let rows = populationRows ?? Array(0..<models)
        return try ItemBank(ids: sim.itemIDs, benchmarkOfItem: sim.benchmarkOfItem, benchmarkNames: sim.benchmarkNames,
                            a: sim.a, d: sim.d, g: sim.g,
                            phi: sim.spec.response == .beta ? sim.phi : sim.phi.map { _ in .nan },
                            response: sim.spec.response, populationTheta: rows.map { sim.theta[$0] }, betaTails: betaTails)
    }

    func rows(_ list: [Int]) -> [Float] {
        var out: [Float] = []
        out.reserveCapacity(list.count * items)
        for r in list { out += responses[(r * items)..<((r + 1) * items)] }
        return out
    }

    /// Calibrates on `list` rows in-process, as `evaluate-subset` does.
    func fittedBank(rows list: [Int]) throws -> ItemBank {
        var options = FitOptions()
        options.response = sim.spec.response
        let data = try CalibrationData(matrix: rows(list), trials: nil, rows: list.count, itemIDs: sim.itemIDs,
                                       itemBenchmarks: sim.itemBenchmarks, floors: nil, response: options.response, path: "memory")
        return try ItemBank(calibration: calibrate(data, options: options))
    }

    /// Observations of row `r` on the items in `subset` (all items when nil).
    func observations(row r: Int, subset: [Int]? = nil) -> [Observation] {
        (subset ?? Array(0..<items)).compactMap { j in
            let y = responses[r * items + j]
            return y.isNaN ? nil : Observation(item: j, y: Double(y))
        }
    }
}

func rootMeanSquare(_ v: [Double]) -> Double {
    (v.reduce(0) { $0 + $1 * $1 } / Double(max(v.count, 1))).squareRoot()
}
