import Calibration
import Foundation
import IRT
import Store

/// Options of a backtest.
public struct BacktestOptions: Sendable {
    /// The calibration's model, tolerances and ridges; `dims`, `response`,
    /// `maxIterations` below and the file's floors take precedence.
    public var calibration = FitOptions()
    /// K; nil chooses it per fold among `dimsCandidates` by the nested
    /// cross-validation of `NestedModelChoice`, on the fold's training models only.
    public var dims: Int? = nil
    public var dimsCandidates = [1, 2, 3]
    public var covariates: CovariateSet = .flops
    public var families: FamilyEffects = .random
    /// Family × benchmark offsets (`BenchmarkOffsets`) on top of the law.
    public var offsets = true
    public var forecast = ForecastOptions()
    /// The likelihood: nil follows the file's response_kind, and for
    /// successes out of trials chooses per fold between the beta-binomial
    /// likelihood and the quasi-likelihood of the fractions by the same
    /// nested cross-validation.
    public var response: ResponseModel?
    public var maxIterations = 500
    /// Benchmarks hidden for the test models: their abilities are updated
    /// with the responses on the other benchmarks, and only these are forecast.
    public var holdoutBenchmarks: [String] = []
    public init() {}
}

/// What a backtest measured: every held-out forecast of the law and of the
/// baselines, on the same (model, benchmark) pairs.
public struct BacktestResult: Sendable {
    public var law: [ForecastRecord] = []
    public var flopsOnly: [ForecastRecord] = []
    public var familyFlops: [ForecastRecord] = []
    /// With hidden benchmarks: the per-benchmark linear regression on the
    /// other benchmarks' scores (`ScoreRegression`).
    public var regression: [ForecastRecord] = []
    /// Test models left out for lack of covariates (or of any response).
    public var skippedTest = 0
    /// Training models left out of the law for lack of covariates.
    public var skippedTrain = 0
    /// Training models with no response at all (left out of the calibration).
    public var emptyTrain = 0
    public var folds = 0
    /// K used in each fold, in fold order.
    public var dims: [Int] = []
    /// The likelihood of each fold's calibration, in fold order.
    public var responses: [ResponseModel] = []
}

/// Which models train and which are forecast: folds (a split file's), or a named protocol.
public enum BacktestSplit: Sendable {
    case folds([SplitFold])
    case named(BacktestProtocol, testFamilies: [[String]]?)
}

/// Out-of-sample evaluation: calibrate on the training rows only, fit the
/// law and the offsets on them, forecast every test model from its
/// covariates and family alone (or, with hidden benchmarks, also from its
/// responses on the others), and score the forecasts against the test
/// model's own responses, next to the baselines fitted on the same
/// training rows.
///
/// The observed score of a test model on a benchmark is the mean of its
/// responses over the benchmark's items it was scored on, and every method
/// forecasts the mean over exactly those items. The calibration runs in
/// this process on one rank and holds the file in memory: a backtest is for
/// evaluation-sized files. Test rows are read only to score forecasts and,
/// with hidden benchmarks, for their responses on the visible ones.
public enum Backtest {
    public static func run(responsePath: String, split: BacktestSplit, options: BacktestOptions,
                           progress: (String) -> Void = { _ in }) throws -> BacktestResult {
        let data = try BacktestData(path: responsePath, response: options.response)
        let folds: [SplitFold]
        switch split {
        case .folds(let given): folds = given
        case .named(let named, let families):
            let answered = data.covariates.indices.map { m in data.observedItems(m).filter { !$0.isEmpty }.count }
            folds = try named.folds(covariates: data.covariates, responses: answered, benchmarks: data.benchmarkCount, testFamilies: families)
            progress("\(named.rawValue): \(folds.count) fold(s), \(Set(folds.flatMap(\.test)).count) test models")
        }
        let hidden = try Set(options.holdoutBenchmarks.map { name -> Int in
            guard let b = data.benchmarkNames.firstIndex(of: name) else {
                throw LawError("--holdout-benchmarks: \(responsePath) has no benchmark \"\(name)\" (it has \(data.benchmarkNames.joined(separator: ", ")))")
            }
            return b
        })
        var result = BacktestResult()
        for fold in folds {
            let label = fold.name.isEmpty ? "" : "fold \(fold.name): "
            let train = fold.train.filter(data.hasResponses)
            result.emptyTrain += fold.train.count - train.count
            do {
                var dims = options.dims ?? 1, response = data.response
                let likelihoods = options.response == nil ? data.likelihoodCandidates : [data.response]
                if options.dims == nil || likelihoods.count > 1 {
                    let choice = try NestedModelChoice(data: data, train: train, dims: options.dims.map { [$0] } ?? options.dimsCandidates,
                                                       responses: likelihoods, options: options, hidden: hidden)
                    dims = choice.dims; response = choice.response
                    let chosen = (likelihoods.count > 1 ? "\(response.rawValue), " : "") + "K = \(dims)"
                    progress("\(label)\(chosen) by nested cross-validation on the training models (" + choice.summary + ")")
                }
                let fit = try BacktestFit(data: data, train: train, dims: dims, response: response, options: options)
                result.skippedTrain += fit.law.skipped
                result.dims.append(dims)
                result.responses.append(response)
                progress("\(label)calibrated \(fit.calibrated) training models (\(response.rawValue), K = \(dims), \(fit.iterations) iterations\(fit.converged ? "" : ", not converged")); law on \(fit.law.modelNames.count) models in \(fit.law.families.count) families")
                try score(fold: fold, train: train, fit: fit, data: data, hidden: hidden, options: options, into: &result)
            } catch let error as LawError {
                throw LawError(label + error.description)
            }
            result.folds += 1
        }
        return result
    }

    /// Forecasts every test model of a fold with the law and the baselines.
    static func score(fold: SplitFold, train: [Int], fit: BacktestFit, data: BacktestData, hidden: Set<Int>,
                      options: BacktestOptions, into result: inout BacktestResult) throws {
        let withFlops = train.filter { data.covariates[$0].raw(.flops) != nil }
        let baselines = SigmoidBaselines(scores: data.scores(withFlops), benchmarks: data.benchmarkCount,
                                         logFlops: withFlops.map { data.covariates[$0].raw(.flops)![0] },
                                         families: withFlops.map { data.covariates[$0].lawFamily }, floors: data.benchmarkFloor)
        let regression = hidden.isEmpty ? nil : ScoreRegression(scores: data.scores(train), benchmarks: data.benchmarkCount)
        for m in fold.test {
            let c = data.covariates[m]
            let observed = data.observedItems(m)
            let targets = Set(observed.indices.filter { !observed[$0].isEmpty && (hidden.isEmpty || hidden.contains($0)) })
            guard let logC = c.raw(.flops)?[0], !targets.isEmpty,
                  let forecasts = try fit.forecast(data: data, model: m, targets: targets,
                                                   evidence: hidden.isEmpty ? [] : observed.indices.filter { !hidden.contains($0) }.flatMap { observed[$0] },
                                                   options: options.forecast)
            else { result.skippedTest += 1; continue }
            let level = options.forecast.level
            let visible = data.scores([m])
            for b in targets.sorted() {
                guard let lawForecast = forecasts[b],
                      let flat = baselines.predict(.flopsOnly, benchmark: b, logFlops: logC, family: c.lawFamily, level: level),
                      let fam = baselines.predict(.familyFlops, benchmark: b, logFlops: logC, family: c.lawFamily, level: level)
                else { continue }
                var reg: (predicted: Double, lower: Double, upper: Double)? = nil
                if let regression {
                    let inputs = visible.enumerated().map { hidden.contains($0.offset) ? Double.nan : $0.element }
                    guard let r = regression.predict(benchmark: b, scores: inputs, level: level) else { continue }
                    reg = r
                }
                let truth = data.score(m, items: observed[b])
                func record(_ p: Double, _ lo: Double, _ hi: Double) -> ForecastRecord {
                    ForecastRecord(model: c.name, family: c.lawFamily, fold: fold.name, benchmark: data.benchmarkNames[b],
                                   observed: truth, predicted: p, lower: lo, upper: hi)
                }
                result.law.append(record(lawForecast.predicted, lawForecast.lower, lawForecast.upper))
                result.flopsOnly.append(record(flat.predicted, flat.lower, flat.upper))
                result.familyFlops.append(record(fam.predicted, fam.lower, fam.upper))
                if let reg { result.regression.append(record(reg.predicted, reg.lower, reg.upper)) }
            }
        }
    }

    /// CSV of a backtest: `model,benchmark,predicted,lower,upper` (the law's
    /// forecast, as `irsl forecast` writes it), then `observed,family,fold`
    /// and the baselines' forecasts and intervals (`regression` columns only
    /// with hidden benchmarks).
    public static func csv(_ r: BacktestResult) -> String {
        let withRegression = !r.regression.isEmpty
        let rows = r.law.indices.map { i -> ForecastTable.Row in
            let l = r.law[i]
            let others = [r.flopsOnly[i], r.familyFlops[i]] + (withRegression ? [r.regression[i]] : [])
            return ForecastTable.Row(model: l.model, benchmark: l.benchmark, predicted: l.predicted, lower: l.lower, upper: l.upper,
                                     observed: l.observed, family: l.family, fold: l.fold,
                                     baselines: others.map { .init(predicted: $0.predicted, lower: $0.lower, upper: $0.upper) })
        }
        return ForecastTable(path: "", rows: rows, baselines: ["flops_only", "family_flops"] + (withRegression ? ["regression"] : []),
                             hasObserved: true).csv()
    }
}
