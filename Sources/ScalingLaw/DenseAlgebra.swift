import Foundation
import IRT

/// The law's linear algebra: symmetric positive-definite systems of a few
/// dozen unknowns (coefficients plus one effect per family), on full
/// row-major `[Double]` matrices.
///
/// Why not `IRT.SmallLinearAlgebra` alone: the law needs whole inverses (the
/// covariance of its estimates), log-determinants (the REML criterion) and
/// Cholesky factors for correlated draws. They are built on its in-place
/// Cholesky.
public enum DenseAlgebra {
    /// The Cholesky factor L (lower triangle, zeros above) of a symmetric
    /// positive-definite `a` [n × n], or nil when it is not positive definite.
    public static func cholesky(_ a: [Double], _ n: Int) -> [Double]? {
        precondition(a.count == n * n)
        var l = a
        let ok = l.withUnsafeMutableBufferPointer { SmallLinearAlgebra.cholesky($0.baseAddress!, n) }
        guard ok else { return nil }
        for i in 0..<n { for j in (i + 1)..<max(i + 1, n) { l[i * n + j] = 0 } }
        return l
    }

    /// log det(a) from its Cholesky factor.
    public static func logDeterminant(cholesky l: [Double], _ n: Int) -> Double {
        (0..<n).reduce(0.0) { $0 + 2 * log(l[$1 * n + $1]) }
    }

    /// A⁻¹ of a symmetric positive-definite matrix, or nil.
    public static func inverse(_ a: [Double], _ n: Int) -> [Double]? {
        guard let l = cholesky(a, n) else { return nil }
        return inverse(cholesky: l, n)
    }

    /// A⁻¹ from A's Cholesky factor, column by column.
    public static func inverse(cholesky l: [Double], _ n: Int) -> [Double] {
        var out = [Double](repeating: 0, count: n * n)
        var e = [Double](repeating: 0, count: n)
        l.withUnsafeBufferPointer { lp in
            for i in 0..<n {
                for k in 0..<n { e[k] = k == i ? 1 : 0 }
                e.withUnsafeMutableBufferPointer { SmallLinearAlgebra.choleskySolve(lp.baseAddress!, n, $0.baseAddress!) }
                for k in 0..<n { out[k * n + i] = e[k] }
            }
        }
        // Symmetrise away rounding.
        for i in 0..<n { for j in 0..<i { let v = 0.5 * (out[i * n + j] + out[j * n + i]); out[i * n + j] = v; out[j * n + i] = v } }
        return out
    }

    /// Solves A x = b from A's Cholesky factor.
    public static func solve(cholesky l: [Double], _ n: Int, _ b: [Double]) -> [Double] {
        var x = b
        l.withUnsafeBufferPointer { lp in
            x.withUnsafeMutableBufferPointer { SmallLinearAlgebra.choleskySolve(lp.baseAddress!, n, $0.baseAddress!) }
        }
        return x
    }

    /// xᵀ A y for a full A [n × n].
    public static func quadraticForm(_ x: [Double], _ a: [Double], _ y: [Double]) -> Double {
        let n = x.count
        var s = 0.0
        for i in 0..<n where x[i] != 0 {
            var t = 0.0
            for j in 0..<n { t += a[i * n + j] * y[j] }
            s += x[i] * t
        }
        return s
    }

    /// A Cholesky factor for drawing correlated normals from a correlation
    /// (or covariance) matrix that may be only semi-definite: a growing ridge
    /// is added to the diagonal until the factorisation succeeds, and the
    /// identity is the last resort.
    public static func samplingFactor(_ a: [Double], _ n: Int) -> [Double] {
        var ridge = 0.0
        for _ in 0..<12 {
            var m = a
            for i in 0..<n { m[i * n + i] += ridge }
            if let l = cholesky(m, n) { return l }
            ridge = ridge == 0 ? 1e-10 : ridge * 10
        }
        var id = [Double](repeating: 0, count: n * n)
        for i in 0..<n { id[i * n + i] = 1 }
        return id
    }
}
