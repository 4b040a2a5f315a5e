import Calibration
import Foundation
import IRT
import Store

/// One fold's model, fitted on its training rows only: the calibration
/// (in this process, one rank), the law on the training abilities, the
/// family × benchmark offsets on the training responses, and the
/// dispersion of quasi-likelihood fits.
struct BacktestFit {
    let law: AbilityLaw
    let bank: CalibratedItems
    let iterations: Int
    let converged: Bool
    let calibrated: Int

    /// - Parameter response: the likelihood (the file's, or a candidate of `NestedModelChoice`).
    init(data: BacktestData, train: [Int], dims: Int, response: ResponseModel, options: BacktestOptions) throws {
        var fitOptions = options.calibration
        fitOptions.dims = dims
        fitOptions.response = response
        fitOptions.floorFromFile = data.info.floor != nil
        fitOptions.maxIterations = options.maxIterations
        try fitOptions.validate()
        guard train.count > dims + 2 else {
            throw LawError("only \(train.count) training models have responses; too few to calibrate")
        }
        let (rows, rowTrials) = data.rows(train, trials: response.needsTrials)
        let fitted = try calibrate(CalibrationData(matrix: rows, trials: rowTrials, rows: train.count, itemIDs: data.info.itemIDs,
                                                   itemBenchmarks: data.info.benchmarks,
                                                   floors: fitOptions.floorFromFile ? data.floors : nil,
                                                   response: response, path: data.path),
                                   options: fitOptions)
        let summary = fitted.summary, theta = fitted.theta
        var law = try AbilityLaw.fit(theta: theta, dims: dims, modelNames: train.map { data.info.modelNames[$0] },
                                     covariates: data.covariates, set: options.covariates, mode: options.families)
        var bank = fitted.calibratedItems
        bank.resolution = bank.reportedResolution(responses: rows)
        if !response.hasPrecision {
            bank.dispersion = bank.estimateDispersion(responses: rows, trials: rowTrials, theta: theta)
        }
        if options.offsets {
            let shifts = BenchmarkOffsets.shifts(bank: bank, responses: rows, theta: theta)
            law.offsets = try BenchmarkOffsets.fit(shifts: shifts, modelFamilies: train.map { data.covariates[$0].lawFamily },
                                                   benchmarks: bank.benchmarkNames, abilityDims: dims)
        }
        self.law = law; self.bank = bank
        iterations = summary.iterations; converged = summary.converged; calibrated = train.count
    }

    /// The forecasts of test model m on the benchmarks in `targets` (bank
    /// order), each of the mean over the items m was scored on; with
    /// `evidence`, the model's responses on those items (other benchmarks)
    /// update its ability first (`Forecaster.forecast(…evidence:)`). nil
    /// when m lacks the law's covariates.
    func forecast(data: BacktestData, model m: Int, targets: Set<Int>, evidence: [Int], options: ForecastOptions) throws -> [Int: BenchmarkForecast]? {
        let c = data.covariates[m]
        guard let raw = c.raw(law.transform.kind) else { return nil }
        var sets = data.observedItems(m)
        for b in sets.indices where !targets.contains(b) { sets[b] = [] }
        var forecastOptions = options
        if bank.response.needsTrials, let t = data.meanTrials(m) { forecastOptions.trials = t }
        let forecaster = try Forecaster(law: law, bank: bank, options: forecastOptions)
        let observed = evidence.map { (item: $0, y: Double(data.matrix[m * data.items + $0]),
                                       trials: Double(data.trials?[m * data.items + $0] ?? 1)) }
        let f = forecaster.forecast(name: c.name, family: c.lawFamily, raw: raw, items: sets, evidence: observed)
        var out: [Int: BenchmarkForecast] = [:]
        for b in f.benchmarks { if let i = bank.benchmarkNames.firstIndex(of: b.benchmark) { out[i] = b } }
        return out
    }
}
