import Calibration
import Foundation
import IRT
import Store

/// The calibrated items a forecast turns abilities into responses with:
/// P_j(θ) = g_j + (1 − g_j) σ(a_j·θ + d_j), the benchmark of every item, and
/// the response noise of the fit's likelihood (a Beta precision per
/// benchmark, or Bernoulli/binomial).
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
    /// Quasi-likelihood dispersion ψ per benchmark for Bernoulli and
    /// binomial fits: the response variance is ψ_b P(1 − P)/t. 1 is the
    /// likelihood's own variance (true 0/1 data); proportions over an
    /// unknown number of questions fitted with the Bernoulli
    /// pseudo-likelihood have ψ < 1 (`estimateDispersion`). Unused for Beta.
    public var dispersion: [Double]?

    public init(dims: Int, itemIDs: [String], a: [Double], d: [Double], g: [Double], itemBenchmarks: [String],
                phi: [Double], response: ResponseModel) {
        self.dims = dims; self.itemIDs = itemIDs; self.a = a; self.d = d; self.g = g
        self.phi = phi; self.response = response
        var names: [String] = [], index: [String: Int] = [:]
        benchmarkOfItem = itemBenchmarks.map { b in
            if let i = index[b] { return i }
            index[b] = names.count; names.append(b); return names.count - 1
        }
        benchmarkNames = names
        if self.phi.count != names.count { self.phi = [Double](repeating: .nan, count: names.count) }
    }

    /// The items of a fit output file.
    public init(fit: FitResult) throws {
        guard let response = ResponseModel(rawValue: fit.attributes.response) else {
            throw StoreError(file: "fit", field: "@response", message: "expected beta, bernoulli, binomial or beta-binomial, found \"\(fit.attributes.response)\"")
        }
        self.init(dims: fit.dims, itemIDs: fit.itemIDs, a: fit.a, d: fit.d, g: fit.g, itemBenchmarks: fit.itemBenchmarks,
                  phi: fit.phi, response: response)
    }

    /// The items of a calibrator that has just fitted (the backtest's in-process fit).
    public init(items: ItemParameters, itemIDs: [String], itemBenchmarks: [String], response: ResponseModel) {
        self.init(dims: items.dims, itemIDs: itemIDs, a: items.a, d: items.d, g: items.g, itemBenchmarks: itemBenchmarks,
                  phi: response.hasPrecision ? items.phi : [], response: response)
    }

    public var count: Int { d.count }

    /// Items of each benchmark.
    public var itemsOfBenchmark: [[Int]] {
        var out = [[Int]](repeating: [], count: benchmarkNames.count)
        for (j, b) in benchmarkOfItem.enumerated() { out[b].append(j) }
        return out
    }

    /// P_j(θ) for `theta` [K].
    @inlinable
    public func probability(_ j: Int, theta: [Double]) -> Double {
        var eta = d[j]
        for c in 0..<dims { eta += a[j * dims + c] * theta[c] }
        return ItemResponse(eta: eta, floor: g[j]).p
    }

    /// Variance of one response around its mean P under the likelihood:
    /// P(1 − P)/(φ + 1) for Beta, P(1 − P)/t for t trials (Bernoulli: t = 1).
    @inlinable
    public func responseVariance(_ p: Double, benchmark b: Int, trials: Double) -> Double {
        switch response {
        case .beta: return p * (1 - p) / (phi[b] + 1)
        case .bernoulli: return (dispersion?[b] ?? 1) * p * (1 - p)
        case .binomial: return (dispersion?[b] ?? 1) * p * (1 - p) / max(trials, 1)
        case .betaBinomial: return p * (1 - p) * (phi[b] + trials) / (max(trials, 1) * (phi[b] + 1))
        }
    }

    /// Pearson estimate of the dispersion of each benchmark from fitted rows
    /// (see `DispersionAccumulator`).
    /// - Parameters:
    ///   - responses: [rows × N] as stored; trials [rows × N] or nil (one trial).
    ///   - theta: [rows × K] fitted abilities of those rows.
    public func estimateDispersion(responses: [Float], trials: [Float]?, theta: [Double]) -> [Double] {
        var acc = DispersionAccumulator(bank: self)
        let n = count, k = dims
        for r in 0..<(theta.count / max(k, 1)) {
            acc.add(responses: responses[(r * n)..<((r + 1) * n)], trials: trials?[(r * n)..<((r + 1) * n)],
                    theta: Array(theta[(r * k)..<((r + 1) * k)]))
        }
        return acc.dispersion()
    }
}
