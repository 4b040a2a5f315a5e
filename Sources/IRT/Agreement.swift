import Foundation

/// Measures of agreement between estimates and a known truth, used by the
/// recovery summary and the recovery tests. JML estimates are identified only
/// up to the documented normalisation, so comparisons are scale-free.
public enum Agreement {
    /// Pearson correlation; NaN when either side is constant.
    public static func pearson(_ x: [Double], _ y: [Double]) -> Double {
        precondition(x.count == y.count)
        let n = Double(x.count)
        let mx = x.reduce(0, +) / n, my = y.reduce(0, +) / n
        var sxy = 0.0, sxx = 0.0, syy = 0.0
        for i in x.indices {
            let dx = x[i] - mx, dy = y[i] - my
            sxy += dx * dy; sxx += dx * dx; syy += dy * dy
        }
        return sxy / (sxx * syy).squareRoot()
    }

    /// R² of the least-squares regression of `y` on the columns of `x`
    /// (row-major, `k` columns) with an intercept. For K > 1 the latent space
    /// is identified only up to rotation, so a true dimension is "recovered"
    /// when it is a linear function of the estimated ones: sqrt(R²) plays the
    /// role of the correlation.
    public static func rSquared(_ y: [Double], on x: [Double], columns k: Int) -> Double {
        let n = y.count
        guard let beta = regression(y, on: x, columns: k) else { return .nan }
        let my = y.reduce(0, +) / Double(n)
        var ssr = 0.0, sst = 0.0
        for i in 0..<n {
            var fit = beta[0]
            for c in 0..<k { fit += beta[c + 1] * x[i * k + c] }
            ssr += (y[i] - fit) * (y[i] - fit)
            sst += (y[i] - my) * (y[i] - my)
        }
        return 1 - ssr / sst
    }

    /// Least-squares coefficients [intercept, β_1…β_k] of `y` on the `k`
    /// columns of `x` (row-major); nil when the columns are collinear.
    public static func regression(_ y: [Double], on x: [Double], columns k: Int) -> [Double]? {
        let n = y.count
        precondition(x.count == n * k)
        let p = k + 1
        var xtx = [Double](repeating: 0, count: p * p), xty = [Double](repeating: 0, count: p)
        var row = [Double](repeating: 1, count: p)
        for i in 0..<n {
            for c in 0..<k { row[c + 1] = x[i * k + c] }
            for r in 0..<p {
                xty[r] += row[r] * y[i]
                for c in 0..<p { xtx[r * p + c] += row[r] * row[c] }
            }
        }
        return SmallLinearAlgebra.solve(xtx, xty)
    }

    /// Discriminations of a K-dimensional fit mapped into the truth's
    /// coordinates. Abilities are identified up to an affine map,
    /// θ_est ≈ S θ_true + c; since a_estᵀ θ_est = a_trueᵀ θ_true, the
    /// estimate of a_true is Sᵀ a_est. Returns [N × K_true].
    public static func alignedDiscriminations(estimatedTheta: [Double], estimatedA: [Double], dims k: Int,
                                              trueTheta: [Double], trueDims kt: Int) -> [Double] {
        let m = estimatedTheta.count / k, n = estimatedA.count / k
        // Row c of S: regression of estimated dimension c on the true dimensions.
        var s = [Double](repeating: 0, count: k * kt)
        for c in 0..<k {
            let y = (0..<m).map { estimatedTheta[$0 * k + c] }
            let beta = regression(y, on: trueTheta, columns: kt) ?? [Double](repeating: .nan, count: kt + 1)
            for t in 0..<kt { s[c * kt + t] = beta[t + 1] }
        }
        var out = [Double](repeating: 0, count: n * kt)
        for j in 0..<n {
            for t in 0..<kt {
                var v = 0.0
                for c in 0..<k { v += s[c * kt + t] * estimatedA[j * k + c] }
                out[j * kt + t] = v
            }
        }
        return out
    }
}
