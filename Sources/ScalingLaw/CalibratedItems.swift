import Calibration
import Foundation
import IRT
import Store

/// The law's view of the calibrated items (Store's `CalibratedItems`): how
/// a forecast turns abilities into responses, P_j(θ) = g_j + (1 − g_j)
/// σ(a_j·θ + d_j), with the response noise of the fit's likelihood (a Beta
/// precision per benchmark, or Bernoulli/binomial with a dispersion).
extension CalibratedItems {
    /// η_j = a_j·θ + d_j for `theta` [K].
    @inlinable
    public func linearPredictor(_ j: Int, theta: [Double]) -> Double {
        var eta = d[j]
        for c in 0..<dims { eta += a[j * dims + c] * theta[c] }
        return eta
    }

    /// P_j(θ) for `theta` [K], with the linear predictor moved by `shift`
    /// (a family × benchmark offset, `BenchmarkOffsets`).
    @inlinable
    public func probability(_ j: Int, theta: [Double], shift: Double = 0) -> Double {
        ItemResponse(eta: linearPredictor(j, theta: theta) + shift, floor: g[j]).p
    }

    /// Variance of one response around its mean P under the likelihood:
    /// P(1 − P)/(φ + 1) for Beta, P(1 − P)/t for t trials (Bernoulli: t = 1).
    @inlinable
    public func responseVariance(_ p: Double, benchmark b: Int, trials: Double) -> Double {
        let v = ItemInformation.variance(p: p, response: response, phi: phi[b], trials: response.needsTrials ? max(trials, 1) : 1)
        return response.hasPrecision ? v : (dispersion?[b] ?? 1) * v
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
