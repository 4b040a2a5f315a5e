import Foundation

extension BenchmarkCalibrations {
    /// Fits the per-benchmark calibrations of `irsl score --train FILE`:
    /// every model of FILE (usually the fit's own input, whose full
    /// responses are known) is scored from the `allowed` items only, exactly
    /// as the new models will be, and its estimate and subset mean are
    /// regressed on its true full score (mean over all answered items).
    public static func fit(training source: ResponseSource, bank: ItemBank, predictor: ScorePredictor,
                           allowed: [Bool]?) throws -> BenchmarkCalibrations {
        let nb = bank.benchmarkCount, n = bank.count
        var irt: [Double] = [], mean: [Double] = [], truth: [Double] = []
        let prior = bank.prior
        try source.forEachBlock { rows, values, trials in
            irt += parallelRows(rows.count, width: nb) { r in
                let obs = ResponseSource.observations(values, trials, row: r, items: n, allowed: allowed)
                return predictor.score(obs, prior: prior).scores.map(\.estimate)
            }
            mean += SubsetMeans.compute(values, models: rows.count, bank: bank, allowed: allowed)
            truth += SubsetMeans.compute(values, models: rows.count, bank: bank, allowed: nil)
        }
        return fit(irt: irt, mean: mean, truth: truth, benchmarks: nb)
    }
}
