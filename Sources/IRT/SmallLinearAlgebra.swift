import Foundation

/// Dense symmetric positive-definite algebra for the tiny systems of the fit:
/// K × K for an ability, (K+1) × (K+1) for an item. Matrices are full,
/// row-major, in caller-owned buffers so the loops allocate nothing.
public enum SmallLinearAlgebra {
    /// In-place Cholesky factorisation A = L Lᵀ (lower triangle of `a` holds L).
    /// Returns false when A is not numerically positive definite.
    @inlinable
    public static func cholesky(_ a: UnsafeMutablePointer<Double>, _ n: Int) -> Bool {
        for j in 0..<n {
            var s = a[j * n + j]
            for k in 0..<j { s -= a[j * n + k] * a[j * n + k] }
            guard s > 0, s.isFinite else { return false }
            let l = s.squareRoot()
            a[j * n + j] = l
            for i in (j + 1)..<max(j + 1, n) {
                var t = a[i * n + j]
                for k in 0..<j { t -= a[i * n + k] * a[j * n + k] }
                a[i * n + j] = t / l
            }
        }
        return true
    }

    /// Solves L Lᵀ x = b in place after `cholesky`.
    @inlinable
    public static func choleskySolve(_ l: UnsafePointer<Double>, _ n: Int, _ b: UnsafeMutablePointer<Double>) {
        for i in 0..<n {
            var s = b[i]
            for k in 0..<i { s -= l[i * n + k] * b[k] }
            b[i] = s / l[i * n + i]
        }
        for i in stride(from: n - 1, through: 0, by: -1) {
            var s = b[i]
            for k in (i + 1)..<max(i + 1, n) { s -= l[k * n + i] * b[k] }
            b[i] = s / l[i * n + i]
        }
    }

    /// The diagonal of A⁻¹ from its Cholesky factor: the variances behind
    /// standard errors. Column i of A⁻¹ is solved from the unit vector eᵢ.
    public static func inverseDiagonal(_ l: UnsafePointer<Double>, _ n: Int) -> [Double] {
        var out = [Double](repeating: 0, count: n)
        var e = [Double](repeating: 0, count: n)
        for i in 0..<n {
            for k in 0..<n { e[k] = k == i ? 1 : 0 }
            e.withUnsafeMutableBufferPointer { choleskySolve(l, n, $0.baseAddress!) }
            out[i] = e[i]
        }
        return out
    }

    /// Convenience for tests and small callers: solves A x = b for a full
    /// symmetric A, or returns nil when A is not positive definite.
    public static func solve(_ a: [Double], _ b: [Double]) -> [Double]? {
        let n = b.count
        precondition(a.count == n * n)
        var m = a, x = b
        let ok = m.withUnsafeMutableBufferPointer { cholesky($0.baseAddress!, n) }
        guard ok else { return nil }
        m.withUnsafeBufferPointer { l in x.withUnsafeMutableBufferPointer { choleskySolve(l.baseAddress!, n, $0.baseAddress!) } }
        return x
    }
}
