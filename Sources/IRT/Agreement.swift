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
        guard let beta = SmallLinearAlgebra.solve(xtx, xty) else { return .nan }
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
}
