import Foundation
import IRT

/// The population prior of a new model's K-dimensional ability,
/// N(mean, covariance), with its precision (the inverse covariance).
///
/// Why the population's own moments: a K > 1 fit standardises its abilities
/// (mean 0, identity covariance over the calibrated models), so the prior is
/// close to N(0, I); estimating it from the abilities keeps a new model on
/// the calibrated models' scale even where the standardisation is loose
/// (an in-process fit on a subset of models, a file from another version).
public struct MultivariatePrior: Sendable, Equatable {
    public let dims: Int
    public let mean: [Double]
    /// [K × K] row-major.
    public let covariance: [Double]
    /// [K × K] row-major: covariance⁻¹.
    public let precision: [Double]

    /// - Precondition: `covariance` is K × K and positive definite.
    public init(mean: [Double], covariance: [Double]) {
        let k = mean.count
        precondition(k >= 1 && covariance.count == k * k)
        var l = covariance
        let ok = l.withUnsafeMutableBufferPointer { SmallLinearAlgebra.cholesky($0.baseAddress!, k) }
        precondition(ok, "prior covariance must be positive definite")
        dims = k
        self.mean = mean
        self.covariance = covariance
        precision = MultivariatePrior.inverse(factor: l, k)
    }

    /// The standard normal N(0, I_K).
    public static func standard(_ k: Int) -> MultivariatePrior {
        MultivariatePrior(mean: [Double](repeating: 0, count: k),
                          covariance: (0..<(k * k)).map { $0 / k == $0 % k ? 1 : 0 })
    }

    /// The sample mean and covariance of `theta` [models × K] (ridge 1e-6
    /// on the diagonal, and every variance at least 1e-6, as `ItemBank.prior`
    /// keeps sd ≥ 1e-3); N(0, I) with fewer than K + 1 models.
    public static func population(_ theta: [Double], dims k: Int) -> MultivariatePrior {
        let m = theta.count / k
        guard m >= k + 1 else { return .standard(k) }
        var mean = [Double](repeating: 0, count: k), cov = [Double](repeating: 0, count: k * k)
        for r in 0..<m { for c in 0..<k { mean[c] += theta[r * k + c] } }
        for c in 0..<k { mean[c] /= Double(m) }
        for r in 0..<m {
            for c in 0..<k {
                for e in 0..<k { cov[c * k + e] += (theta[r * k + c] - mean[c]) * (theta[r * k + e] - mean[e]) }
            }
        }
        for i in cov.indices { cov[i] /= Double(m - 1) }
        for c in 0..<k { cov[c * k + c] = max(cov[c * k + c], 1e-6) + 1e-6 }
        var l = cov
        let ok = l.withUnsafeMutableBufferPointer { SmallLinearAlgebra.cholesky($0.baseAddress!, k) }
        return ok ? MultivariatePrior(mean: mean, covariance: cov) : .standard(k)
    }

    /// log density up to a constant: −½ (θ − μ)ᵀ Σ⁻¹ (θ − μ).
    public func logDensity(_ theta: [Double]) -> Double {
        var q = 0.0
        for c in 0..<dims {
            for e in 0..<dims { q += (theta[c] - mean[c]) * precision[c * dims + e] * (theta[e] - mean[e]) }
        }
        return -0.5 * q
    }

    /// A⁻¹ from the Cholesky factor of A (lower triangle of `factor`), column by column.
    static func inverse(factor: [Double], _ k: Int) -> [Double] {
        var out = [Double](repeating: 0, count: k * k)
        factor.withUnsafeBufferPointer { l in
            for i in 0..<k {
                var e = (0..<k).map { $0 == i ? 1.0 : 0.0 }
                e.withUnsafeMutableBufferPointer { SmallLinearAlgebra.choleskySolve(l.baseAddress!, k, $0.baseAddress!) }
                for r in 0..<k { out[r * k + i] = e[r] }
            }
        }
        return out
    }

    /// A⁻¹ for a symmetric positive-definite K × K matrix, or nil when it is not.
    public static func inverse(_ a: [Double], _ k: Int) -> [Double]? {
        var l = a
        let ok = l.withUnsafeMutableBufferPointer { SmallLinearAlgebra.cholesky($0.baseAddress!, k) }
        return ok ? inverse(factor: l, k) : nil
    }
}
