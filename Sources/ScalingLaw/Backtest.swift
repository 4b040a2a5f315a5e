import Calibration
import Distributed
import Foundation
import IRT
import Store

/// One train/test split of the models of a response file (rows).
public struct SplitFold: Sendable {
    public var name: String
    public var train: [Int]
    public var test: [Int]
}

/// `SPLIT.csv`: columns `model,role` with role `train` or `test`, and an
/// optional `fold` column: each distinct fold is an independent split
/// (its own calibration, law and baselines), which is how a
/// leave-one-family-out protocol runs in one command. Models of the
/// response file that the split does not list take no part.
public enum SplitFile {
    public static func read(_ path: String, modelNames: [String]) throws -> [SplitFold] {
        let t = try CSVTable(path: path)
        let model = try t.requiredColumn(["model", "name"])
        let role = try t.requiredColumn(["role"])
        let fold = t.columnIndex(["fold"])
        var row: [String: Int] = [:]
        for (i, n) in modelNames.enumerated() where row[n] == nil { row[n] = i }
        var order: [String] = [], folds: [String: SplitFold] = [:]
        for r in t.rows.indices {
            let name = t.rows[r][model].trimmingCharacters(in: .whitespaces)
            let where_ = "column \(t.header[model]), line \(t.lines[r])"
            guard let m = row[name] else {
                throw StoreError(file: path, field: where_, message: "model '\(name)' is not in the response file's /models/name")
            }
            let f = fold.map { t.rows[r][$0].trimmingCharacters(in: .whitespaces) } ?? ""
            if folds[f] == nil { folds[f] = SplitFold(name: f, train: [], test: []); order.append(f) }
            switch t.rows[r][role].trimmingCharacters(in: .whitespaces).lowercased() {
            case "train": folds[f]!.train.append(m)
            case "test": folds[f]!.test.append(m)
            case let other:
                throw StoreError(file: path, field: "column \(t.header[role]), line \(t.lines[r])", message: "expected train or test, found '\(other)'")
            }
        }
        for f in order {
            let s = folds[f]!
            let both = Set(s.train).intersection(s.test)
            if let m = both.first {
                throw StoreError(file: path, field: "column \(t.header[role])", message: "model '\(modelNames[m])' is both train and test\(f.isEmpty ? "" : " in fold \(f)")")
            }
            let listed = s.train + s.test
            if Set(listed).count != listed.count {
                let twice = Dictionary(grouping: listed, by: { $0 }).first { $0.value.count > 1 }!.key
                throw StoreError(file: path, field: "column \(t.header[model])", message: "model '\(modelNames[twice])' is listed twice\(f.isEmpty ? "" : " in fold \(f)")")
            }
            guard !s.train.isEmpty, !s.test.isEmpty else {
                throw StoreError(file: path, field: "column \(t.header[role])", message: "\(f.isEmpty ? "the split" : "fold \(f)") needs train and test models; found \(s.train.count) train, \(s.test.count) test")
            }
        }
        return order.map { folds[$0]! }
    }
}

/// Options of a backtest.
public struct BacktestOptions: Sendable {
    public var dims = 1
    public var covariates: CovariateSet = .flops
    public var families: FamilyEffects = .random
    public var forecast = ForecastOptions()
    /// The likelihood: nil follows the file's response_kind.
    public var response: ResponseModel?
    public var maxIterations = 500
    public init() {}
}

/// What a backtest measured: every held-out forecast of the law and of the
/// two baselines, on the same (model, benchmark) pairs.
public struct BacktestResult: Sendable {
    public var law: [ForecastRecord] = []
    public var flopsOnly: [ForecastRecord] = []
    public var familyFlops: [ForecastRecord] = []
    /// Test models left out for lack of covariates (or of any response).
    public var skippedTest = 0
    /// Training models left out of the law for lack of covariates.
    public var skippedTrain = 0
    /// Training models with no response at all (left out of the calibration).
    public var emptyTrain = 0
    public var folds = 0
}

/// Out-of-sample evaluation: calibrate on the training rows only, fit the
/// law on their abilities, forecast every test model from its covariates
/// and family alone, and score the forecasts against the test model's own
/// responses, next to the two sigmoid-of-FLOPs baselines fitted on the same
/// training rows.
///
/// The observed score of a test model on a benchmark is the mean of its
/// responses over the benchmark's items it was scored on, and every method
/// forecasts the mean over exactly those items. The calibration runs in
/// this process on one rank (`SerialCommunicator`) and holds the training
/// rows in memory: a backtest is for evaluation-sized files.
public enum Backtest {
    public static func run(responsePath: String, folds: [SplitFold], options: BacktestOptions,
                           progress: (String) -> Void = { _ in }) throws -> BacktestResult {
        let info = try ResponseFileInfo.read(responsePath)
        let response = try options.response ?? CalibrationJob.resolve("auto", kind: info.kind, declared: info.likelihood, path: responsePath)
        let n = info.items
        let file = try H5File(responsePath, mode: .readOnly)
        var matrix = [Float](repeating: .nan, count: info.models * n)
        try matrix.withUnsafeMutableBufferPointer { try file.readRows(ResponseLayout.responses, rowStart: 0, rowCount: info.models, into: $0) }
        var trials: [Int32]?
        if info.hasTrials {
            var t = [Int32](repeating: 0, count: info.models * n)
            try t.withUnsafeMutableBufferPointer { try file.readRows(ResponseLayout.trials, rowStart: 0, rowCount: info.models, into: $0) }
            trials = t
        }
        file.close()
        if response.needsTrials && trials == nil {
            throw StoreError(file: responsePath, field: ResponseLayout.trials, message: "the binomial likelihood needs trial counts; the file has none")
        }
        let covariates = try CovariateSource.responseFile(responsePath)
        let floors = info.floor ?? [Double](repeating: 0, count: n)
        var benchmarkNames: [String] = [], benchmarkIndex: [String: Int] = [:]
        let benchmarkOfItem = info.benchmarks.map { b -> Int in
            if let i = benchmarkIndex[b] { return i }
            benchmarkIndex[b] = benchmarkNames.count; benchmarkNames.append(b); return benchmarkNames.count - 1
        }
        let bCount = benchmarkNames.count
        var benchmarkFloor = [Double](repeating: 0, count: bCount), itemsPer = [Int](repeating: 0, count: bCount)
        for j in 0..<n { benchmarkFloor[benchmarkOfItem[j]] += floors[j]; itemsPer[benchmarkOfItem[j]] += 1 }
        for b in 0..<bCount { benchmarkFloor[b] /= Double(itemsPer[b]) }

        var fitOptions = FitOptions()
        fitOptions.dims = options.dims
        fitOptions.response = response
        fitOptions.floorFromFile = info.floor != nil
        fitOptions.maxIterations = options.maxIterations
        try fitOptions.validate()

        var result = BacktestResult()
        for fold in folds {
            let label = fold.name.isEmpty ? "" : "fold \(fold.name): "
            // Training rows with at least one response.
            let train = fold.train.filter { m in (0..<n).contains { !matrix[m * n + $0].isNaN } }
            result.emptyTrain += fold.train.count - train.count
            guard train.count > options.dims + 2 else {
                throw LawError("\(label)only \(train.count) training models have responses; too few to calibrate")
            }
            var rows = [Float](repeating: .nan, count: train.count * n)
            var rowTrials: [Float]? = response.needsTrials ? [Float](repeating: 0, count: train.count * n) : nil
            for (i, m) in train.enumerated() {
                for j in 0..<n {
                    rows[i * n + j] = matrix[m * n + j]
                    if rowTrials != nil { rowTrials![i * n + j] = Float(trials![m * n + j]) }
                }
            }
            var shard = Shard(rowStart: 0, rows: train.count, items: n, responses: rows, trials: rowTrials)
            try shard.prepare(for: response, path: responsePath, itemIDs: info.itemIDs)
            let calibrator = Calibrator(options: fitOptions, comm: SerialCommunicator(), totalModels: train.count, shard: shard,
                                        floors: fitOptions.floorFromFile ? floors : [Double](repeating: 0, count: n),
                                        benchmarkOfItem: benchmarkOfItem.map(Int32.init), benchmarkCount: bCount)
            let summary = calibrator.fit()
            let trainNames = train.map { info.modelNames[$0] }
            let law: AbilityLaw
            do {
                law = try AbilityLaw.fit(theta: calibrator.theta, dims: options.dims, modelNames: trainNames,
                                         covariates: covariates, set: options.covariates, mode: options.families)
            } catch let error as LawError {
                throw LawError(label + error.description)
            }
            result.skippedTrain += law.skipped
            var bank = CalibratedItems(items: calibrator.items, itemIDs: info.itemIDs, itemBenchmarks: info.benchmarks, response: response)
            if !response.hasPrecision {
                bank.dispersion = bank.estimateDispersion(responses: rows, trials: rowTrials, theta: calibrator.theta)
            }
            progress("\(label)calibrated \(train.count) training models (\(summary.iterations) iterations\(summary.converged ? "" : ", not converged")); law on \(law.modelNames.count) models in \(law.families.count) families")

            // Baselines on the same training rows: benchmark scores against log10 FLOPs.
            let baselineRows = train.filter { covariates[$0].raw(.flops) != nil }
            var scores = [Double](repeating: .nan, count: baselineRows.count * bCount)
            for (i, m) in baselineRows.enumerated() {
                var sum = [Double](repeating: 0, count: bCount), count = [Int](repeating: 0, count: bCount)
                for j in 0..<n where !matrix[m * n + j].isNaN { sum[benchmarkOfItem[j]] += Double(matrix[m * n + j]); count[benchmarkOfItem[j]] += 1 }
                for b in 0..<bCount where count[b] > 0 { scores[i * bCount + b] = sum[b] / Double(count[b]) }
            }
            let baselines = SigmoidBaselines(scores: scores, benchmarks: bCount,
                                             logFlops: baselineRows.map { covariates[$0].raw(.flops)![0] },
                                             families: baselineRows.map { covariates[$0].lawFamily }, floors: benchmarkFloor)

            for m in fold.test {
                let c = covariates[m]
                guard let raw = c.raw(options.covariates), let logC = c.raw(.flops)?[0] else { result.skippedTest += 1; continue }
                var observed = [[Int]](repeating: [], count: bCount)
                var trialSum = 0.0, trialCount = 0.0
                for j in 0..<n where !matrix[m * n + j].isNaN {
                    observed[benchmarkOfItem[j]].append(j)
                    if let t = trials { trialSum += Double(t[m * n + j]); trialCount += 1 }
                }
                guard observed.contains(where: { !$0.isEmpty }) else { result.skippedTest += 1; continue }
                var forecastOptions = options.forecast
                if trialCount > 0 { forecastOptions.trials = trialSum / trialCount }
                let forecaster = try Forecaster(law: law, bank: bank, options: forecastOptions)
                let f = forecaster.forecast(name: c.name, family: c.lawFamily, raw: raw, items: observed)
                var byName: [String: BenchmarkForecast] = [:]
                for b in f.benchmarks { byName[b.benchmark] = b }
                for b in 0..<bCount where !observed[b].isEmpty {
                    guard let lawForecast = byName[benchmarkNames[b]],
                          let flat = baselines.predict(.flopsOnly, benchmark: b, logFlops: logC, family: c.lawFamily, level: forecastOptions.level),
                          let fam = baselines.predict(.familyFlops, benchmark: b, logFlops: logC, family: c.lawFamily, level: forecastOptions.level)
                    else { continue }
                    let truth = observed[b].reduce(0.0) { $0 + Double(matrix[m * n + $1]) } / Double(observed[b].count)
                    func record(_ p: Double, _ lo: Double, _ hi: Double) -> ForecastRecord {
                        ForecastRecord(model: c.name, family: c.lawFamily, fold: fold.name, benchmark: benchmarkNames[b],
                                       observed: truth, predicted: p, lower: lo, upper: hi)
                    }
                    result.law.append(record(lawForecast.predicted, lawForecast.lower, lawForecast.upper))
                    result.flopsOnly.append(record(flat.predicted, flat.lower, flat.upper))
                    result.familyFlops.append(record(fam.predicted, fam.lower, fam.upper))
                }
            }
            result.folds += 1
        }
        return result
    }

    /// CSV of a backtest: `model,benchmark,predicted,lower,upper` (the law's
    /// forecast, as `irsl forecast` writes it), then `observed,family,fold`
    /// and the two baselines' forecasts and intervals.
    public static func csv(_ r: BacktestResult) -> String {
        var w = CSVWriter()
        w.row(["model", "benchmark", "predicted", "lower", "upper", "observed", "family", "fold",
               "flops_only", "flops_only_lower", "flops_only_upper", "family_flops", "family_flops_lower", "family_flops_upper"])
        let num = CSVWriter.number
        for i in r.law.indices {
            let l = r.law[i], a = r.flopsOnly[i], b = r.familyFlops[i]
            w.row([l.model, l.benchmark, num(l.predicted), num(l.lower), num(l.upper), num(l.observed), l.family, l.fold,
                   num(a.predicted), num(a.lower), num(a.upper), num(b.predicted), num(b.lower), num(b.upper)])
        }
        return w.text
    }
}
