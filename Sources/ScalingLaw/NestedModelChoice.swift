import Foundation
import IRT
import Store

/// The number of ability dimensions of a backtest fold, and its likelihood
/// when the file offers a choice (`BacktestData.likelihoodCandidates`: the
/// beta-binomial of question counts or the quasi-likelihood of the
/// fractions), chosen by cross-validation inside the fold's training
/// models: never on its test models.
///
/// Why a forecast criterion and not held-out entries: K that predicts
/// hidden entries of the matrix best (the estimator's `crossvalidate`) is
/// not the K that extrapolates a family to its larger models best; the
/// backtest asks the second question, so the choice asks it too.
///
/// The inner folds mimic the outer task on the training models: training
/// families with at least two models that have the law's covariates are
/// dealt, in name order, into up to five groups; each inner fold keeps the
/// smallest model (parameters, then FLOPs) of each family of its group in
/// training and forecasts the others, with the same law, offsets and hidden
/// benchmarks as the outer fold. The (likelihood, K) with the lowest mean
/// absolute error over all inner forecasts wins; ties go to the first
/// likelihood and the smaller K.
struct NestedModelChoice {
    let dims: Int
    let response: ResponseModel
    /// "K = 1: MAE 0.041, K = 2: …" (each prefixed by its likelihood when there are several).
    let summary: String

    static let innerFolds = 5

    /// - Parameters:
    ///   - dims: the candidate K.
    ///   - responses: the candidate likelihoods.
    init(data: BacktestData, train: [Int], dims candidates: [Int], responses: [ResponseModel], options: BacktestOptions,
         hidden: Set<Int> = []) throws {
        var members: [String: [Int]] = [:]
        for m in train where data.covariates[m].raw(options.covariates) != nil {
            members[data.covariates[m].lawFamily, default: []].append(m)
        }
        let families = members.keys.filter { members[$0]!.count >= 2 }.sorted()
        let groups = min(NestedModelChoice.innerFolds, families.count)
        var folds: [SplitFold] = []
        for g in 0..<groups {
            var test: [Int] = []
            for (i, f) in families.enumerated() where i % groups == g {
                let models = members[f]!
                let smallest = models.min { a, b in
                    func key(_ m: Int) -> (Double, Double, Int) {
                        let c = data.covariates[m]
                        return (c.params.isFinite ? c.params : .infinity, c.flops.isFinite ? c.flops : .infinity, m)
                    }
                    return key(a) < key(b)
                }!
                test += models.filter { $0 != smallest }
            }
            let held = Set(test)
            folds.append(SplitFold(name: "inner \(g + 1)", train: train.filter { !held.contains($0) }, test: test))
        }
        var inner = options
        inner.forecast.draws = 100
        var results: [(response: ResponseModel, dims: Int, mae: Double)] = []
        for response in responses {
            for k in candidates {
                inner.dims = k
                var errors = 0.0, count = 0
                do {
                    for fold in folds {
                        let fit = try BacktestFit(data: data, train: fold.train, dims: k, response: response, options: inner)
                        var r = BacktestResult()
                        try Backtest.score(fold: fold, train: fold.train, fit: fit, data: data, hidden: hidden, options: inner, into: &r)
                        for rec in r.law { errors += abs(rec.predicted - rec.observed); count += 1 }
                    }
                } catch is LawError { count = 0 }
                results.append((response, k, count > 0 ? errors / Double(count) : .infinity))
            }
        }
        let order = { (r: (response: ResponseModel, dims: Int, mae: Double)) in (r.mae, responses.firstIndex(of: r.response)!, r.dims) }
        let winner = results.filter { $0.mae.isFinite }.min { order($0) < order($1) }
        dims = winner?.dims ?? (candidates.min() ?? 1)
        response = winner?.response ?? responses[0]
        summary = results.map { (responses.count > 1 ? "\($0.response.rawValue) " : "") + String(format: "K = %d: MAE %.4f", $0.dims, $0.mae) }
            .joined(separator: ", ")
            + (folds.isEmpty ? "; no family with two models: smallest K" : " over \(folds.count) inner folds")
    }
}
