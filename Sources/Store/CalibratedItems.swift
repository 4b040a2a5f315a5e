import Foundation
import IRT

/// The calibrated items of a fit, the one type that `select`, `score`,
/// `cat`, `items`, `law`, `forecast`, `passk`, backtests and the subset
/// evaluation view: item ids, their benchmarks (in order of first
/// appearance), K, slopes a [N × K], intercepts d, floors g, the Beta
/// precision per benchmark, the likelihood, and the item standard errors
/// when the fit has them. Built from a fit file (`init(fit:path:)`, checked
/// once) or from an in-process calibration.
///
/// Convention (mirt slope-intercept): P_j(θ) = g_j + (1 − g_j) σ(a_j·θ + d_j).
/// Selection adds its K = 1 view (`ItemBank`: prior, censored Beta tables);
/// the law adds forecasting math (`probability`, `responseVariance`,
/// `estimateDispersion`).
public struct CalibratedItems: Sendable {
    public var dims: Int
    public var itemIDs: [String]
    /// [N × K] row-major.
    public var a: [Double]
    public var d: [Double]
    public var g: [Double]
    /// Index into `benchmarkNames` of every item.
    public var benchmarkOfItem: [Int]
    /// Benchmarks in order of first appearance.
    public var benchmarkNames: [String]
    /// Beta precision per benchmark (NaN unless `response` is beta).
    public var phi: [Double]
    public var response: ResponseModel
    /// `/items/a_se` [N × K] and `/items/d_se` [N]: empty when not known
    /// (an in-process calibration that computed none).
    public var aSE: [Double] = []
    public var dSE: [Double] = []
    /// Quasi-likelihood dispersion ψ per benchmark for Bernoulli and
    /// binomial fits: the response variance is ψ_b P(1 − P)/t. 1 is the
    /// likelihood's own variance (true 0/1 data); proportions over an
    /// unknown number of questions fitted with the Bernoulli
    /// pseudo-likelihood have ψ < 1 (`estimateDispersion`). Unused for Beta.
    public var dispersion: [Double]?
    /// The resolution r at which each benchmark's scores are reported (0.01
    /// for rounded percentages, 0 for none; ScalingLaw's `ScoreResolution`):
    /// a forecast of the published score adds its rounding error. nil: none.
    public var resolution: [Double]?

    /// Items with benchmarks given per item (their order is derived:
    /// first appearance). A `phi` of the wrong length becomes NaN per benchmark.
    public init(dims: Int, itemIDs: [String], a: [Double], d: [Double], g: [Double], itemBenchmarks: [String],
                phi: [Double], response: ResponseModel) {
        self.dims = dims; self.itemIDs = itemIDs; self.a = a; self.d = d; self.g = g
        self.phi = phi; self.response = response
        let benchmarks = BenchmarkIndex(itemBenchmarks: itemBenchmarks)
        benchmarkOfItem = benchmarks.ofItem
        benchmarkNames = benchmarks.names
        if self.phi.count != benchmarks.count { self.phi = [Double](repeating: .nan, count: benchmarks.count) }
    }

    /// Items with benchmark indices given (as an in-process calibration has them).
    public init(dims: Int, itemIDs: [String], a: [Double], d: [Double], g: [Double],
                benchmarkOfItem: [Int], benchmarkNames: [String], phi: [Double], response: ResponseModel) {
        self.dims = dims; self.itemIDs = itemIDs; self.a = a; self.d = d; self.g = g
        self.benchmarkOfItem = benchmarkOfItem; self.benchmarkNames = benchmarkNames
        self.phi = phi; self.response = response
    }

    /// The items of a fit output file (`path` names it in errors): the
    /// likelihood must be one irsl knows and every item's benchmark must be
    /// in `/benchmarks/name`, whose order (and φ) the items keep.
    public init(fit: FitResult, path: String = "fit") throws {
        guard let response = ResponseModel(rawValue: fit.attributes.response) else {
            throw StoreError(file: path, field: "@response", message: "expected beta, bernoulli, binomial or beta-binomial, found \"\(fit.attributes.response)\"")
        }
        var position: [String: Int] = [:]
        for (b, name) in fit.benchmarkNames.enumerated() where position[name] == nil { position[name] = b }
        let benchmarkOfItem = try fit.itemBenchmarks.enumerated().map { j, name -> Int in
            guard let b = position[name] else {
                throw StoreError(file: path, field: "/items/benchmark",
                                 message: "item \(fit.itemIDs[j]) names benchmark \"\(name)\", which is not in /benchmarks/name")
            }
            return b
        }
        self.init(dims: fit.dims, itemIDs: fit.itemIDs, a: fit.a, d: fit.d, g: fit.g, benchmarkOfItem: benchmarkOfItem,
                  benchmarkNames: fit.benchmarkNames, phi: fit.phi, response: response)
        aSE = fit.aSE; dSE = fit.dSE
    }

    public var count: Int { d.count }
    public var benchmarkCount: Int { benchmarkNames.count }

    /// Items of each benchmark, in item order.
    public var itemsOfBenchmark: [[Int]] {
        var out = [[Int]](repeating: [], count: benchmarkNames.count)
        for (j, b) in benchmarkOfItem.enumerated() { out[b].append(j) }
        return out
    }
}
