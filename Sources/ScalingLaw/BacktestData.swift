import Calibration
import Foundation
import IRT
import Store

/// A response file held in memory for a backtest: the matrix, the trials,
/// the models' covariates, and each benchmark's items and floor. Every fold
/// (and every inner fold of the nested choice of K) reads its rows from here.
struct BacktestData {
    let path: String
    let info: ResponseFileInfo
    let response: ResponseModel
    /// [models × N] as stored (NaN missing); trials likewise or nil.
    let matrix: [Float]
    let trials: [Int32]?
    let covariates: [ModelCovariates]
    let floors: [Double]
    let benchmarkNames: [String]
    let benchmarkOfItem: [Int]
    /// Mean item floor of each benchmark.
    let benchmarkFloor: [Double]

    var items: Int { info.items }
    var benchmarkCount: Int { benchmarkNames.count }

    init(path: String, response choice: ResponseModel?) throws {
        let info = try ResponseFileInfo.read(path)
        let response = try choice ?? CalibrationJob.resolve("auto", kind: info.kind, declared: info.likelihood, path: path)
        if response.needsTrials && !info.hasTrials {
            throw StoreError(file: path, field: ResponseLayout.trials, message: "the binomial likelihood needs trial counts; the file has none")
        }
        let reader = try ResponseRows(path: path, info: info, trials: info.hasTrials)
        (matrix, trials) = try reader.read(0..<info.models)
        reader.close()
        self.path = path; self.info = info; self.response = response
        covariates = try CovariateSource.responseFile(path)
        floors = info.floor ?? [Double](repeating: 0, count: info.items)
        let benchmarks = BenchmarkIndex(itemBenchmarks: info.benchmarks)
        benchmarkNames = benchmarks.names
        benchmarkOfItem = benchmarks.ofItem
        var floor = [Double](repeating: 0, count: benchmarks.count), count = floor
        for j in 0..<info.items { floor[benchmarkOfItem[j]] += floors[j]; count[benchmarkOfItem[j]] += 1 }
        benchmarkFloor = zip(floor, count).map { $0 / max($1, 1) }
    }

    /// Whether model m has at least one response.
    func hasResponses(_ m: Int) -> Bool { (0..<items).contains { !matrix[m * items + $0].isNaN } }

    /// Per benchmark, the items model m was scored on.
    func observedItems(_ m: Int) -> [[Int]] {
        var out = [[Int]](repeating: [], count: benchmarkCount)
        for j in 0..<items where !matrix[m * items + j].isNaN { out[benchmarkOfItem[j]].append(j) }
        return out
    }

    /// Mean response of model m over `items`.
    func score(_ m: Int, items: [Int]) -> Double {
        items.reduce(0.0) { $0 + Double(matrix[m * self.items + $1]) } / Double(items.count)
    }

    /// Benchmark scores of `rows` [rows × B], NaN where a model has no response on a benchmark.
    func scores(_ rows: [Int]) -> [Double] {
        var out = [Double](repeating: .nan, count: rows.count * benchmarkCount)
        for (i, m) in rows.enumerated() {
            for (b, set) in observedItems(m).enumerated() where !set.isEmpty { out[i * benchmarkCount + b] = score(m, items: set) }
        }
        return out
    }

    /// Mean trials of model m's responses (nil without trials).
    func meanTrials(_ m: Int) -> Double? {
        guard let trials else { return nil }
        var sum = 0.0, count = 0.0
        for j in 0..<items where !matrix[m * items + j].isNaN { sum += Double(trials[m * items + j]); count += 1 }
        return count > 0 ? sum / count : nil
    }

    /// The likelihoods a backtest with no `--response` chooses among by
    /// nested cross-validation: for successes out of trials (a proportion
    /// file) the file's likelihood of the counts (beta-binomial, or the one
    /// it declares) and the Bernoulli quasi-likelihood of the fractions
    /// (what a table without question counts gets); otherwise the file's own.
    var likelihoodCandidates: [ResponseModel] {
        response.needsTrials ? [response, .bernoulli] : [response]
    }

    /// The rows of `models` as a calibration shard [rows × N], with their trials when `trials` (the likelihood needs them).
    func rows(_ models: [Int], trials withTrials: Bool) -> (responses: [Float], trials: [Float]?) {
        let n = items
        var responses = [Float](repeating: .nan, count: models.count * n)
        var rowTrials: [Float]? = withTrials ? [Float](repeating: 0, count: models.count * n) : nil
        for (i, m) in models.enumerated() {
            for j in 0..<n {
                responses[i * n + j] = matrix[m * n + j]
                if rowTrials != nil { rowTrials![i * n + j] = Float(trials![m * n + j]) }
            }
        }
        return (responses, rowTrials)
    }
}
