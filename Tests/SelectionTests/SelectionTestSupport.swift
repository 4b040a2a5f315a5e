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

/// A two-dimensional Bernoulli matrix with independent abilities θ ~ N(0, I):
/// benchmark 0 loads on dimension 1 only, benchmark 1 mainly on dimension 2
/// (a small loading on dimension 1), so one ability cannot carry both.
struct TwoDimensionalData {
    let models: Int, itemsPerBenchmark: Int
    /// [models × 2].
    let theta: [Double]
    /// [items × 2], d [items].
    let a: [Double], d: [Double]
    /// [models × items] 0/1.
    let responses: [Float]

    init(models: Int, itemsPerBenchmark: Int, seed: UInt64) {
        self.models = models
        self.itemsPerBenchmark = itemsPerBenchmark
        var rng = RandomSource(seed: seed, stream: 0x2D)
        let n = 2 * itemsPerBenchmark
        theta = (0..<(2 * models)).map { _ in rng.normal() }
        var a = [Double](repeating: 0, count: 2 * n), d = [Double](repeating: 0, count: n)
        for j in 0..<n {
            let strength = 1.2 * exp(0.25 * rng.normal())
            if j < itemsPerBenchmark { a[2 * j] = strength } else { a[2 * j] = 0.25; a[2 * j + 1] = strength }
            d[j] = 1.2 * rng.normal()
        }
        self.a = a
        self.d = d
        var y = [Float](repeating: 0, count: models * n)
        for m in 0..<models {
            for j in 0..<n {
                let eta = a[2 * j] * theta[2 * m] + a[2 * j + 1] * theta[2 * m + 1] + d[j]
                y[m * n + j] = rng.uniform() < 1 / (1 + exp(-eta)) ? 1 : 0
            }
        }
        responses = y
    }

    var items: Int { 2 * itemsPerBenchmark }
    var itemIDs: [String] { (0..<items).map { "b\($0 / itemsPerBenchmark)/q\($0)" } }
    var itemBenchmarks: [String] { (0..<items).map { "b\($0 / itemsPerBenchmark)" } }

    func rows(_ list: [Int]) -> [Float] { list.flatMap { responses[($0 * items)..<(($0 + 1) * items)] } }

    /// Calibrates K dimensions on `list` rows in-process (Bernoulli), as `evaluate-subset` does.
    func fittedBank(rows list: [Int], dims: Int) throws -> ItemBank {
        var options = FitOptions()
        options.response = .bernoulli
        options.dims = dims
        let data = try CalibrationData(matrix: rows(list), trials: nil, rows: list.count, itemIDs: itemIDs,
                                       itemBenchmarks: itemBenchmarks, floors: nil, response: .bernoulli, path: "memory")
        return try ItemBank(calibration: calibrate(data, options: options))
    }

    /// Each model's true full score per benchmark [models × 2].
    func truth(_ list: [Int]) -> [Double] {
        list.flatMap { m in
            (0..<2).map { b in
                (0..<itemsPerBenchmark).reduce(0.0) { $0 + Double(responses[m * items + b * itemsPerBenchmark + $1]) } / Double(itemsPerBenchmark)
            }
        }
    }
}
