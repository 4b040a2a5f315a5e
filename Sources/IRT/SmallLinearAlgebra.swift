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

    /// Scales the n values at x onto the ball ‖x‖ ≤ radius when they lie
    /// outside it: the norm bounds of the ability and item steps.
    @inline(__always)
    public static func clampNorm(_ x: UnsafeMutablePointer<Double>, _ n: Int, radius: Double) {
        var norm2 = 0.0
        for i in 0..<n { norm2 += x[i] * x[i] }
        guard norm2 > radius * radius else { return }
        let shrink = radius / norm2.squareRoot()
        for i in 0..<n { x[i] *= shrink }
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

    /// Eigen-decomposition of a full symmetric n × n matrix by cyclic Jacobi
    /// rotations (exact to rounding for the K ≤ 10 of the fit). Returns the
    /// eigenvalues in decreasing order and the eigenvectors as the columns of
    /// a row-major n × n matrix V (A = V diag(λ) Vᵀ).
    public static func symmetricEigen(_ a: [Double], _ n: Int) -> (values: [Double], vectors: [Double]) {
        precondition(a.count == n * n)
        var m = a
        var v = [Double](repeating: 0, count: n * n)
        for i in 0..<n { v[i * n + i] = 1 }
        for _ in 0..<100 {
            var off = 0.0, scale = 0.0
            for i in 0..<n {
                scale += m[i * n + i] * m[i * n + i]
                for j in 0..<n where j != i { off += m[i * n + j] * m[i * n + j] }
            }
            if off <= 1e-30 * max(scale, 1e-300) { break }
            for p in 0..<n {
                for q in (p + 1)..<n where m[p * n + q] != 0 {
                    // The rotation that zeroes m[p][q] (Golub and Van Loan, 8.5.2).
                    let theta = (m[q * n + q] - m[p * n + p]) / (2 * m[p * n + q])
                    let t = (theta >= 0 ? 1.0 : -1.0) / (abs(theta) + (theta * theta + 1).squareRoot())
                    let c = 1 / (t * t + 1).squareRoot(), s = t * c
                    for k in 0..<n {               // columns p, q
                        let x = m[k * n + p], y = m[k * n + q]
                        m[k * n + p] = c * x - s * y; m[k * n + q] = s * x + c * y
                    }
                    for k in 0..<n {               // rows p, q
                        let x = m[p * n + k], y = m[q * n + k]
                        m[p * n + k] = c * x - s * y; m[q * n + k] = s * x + c * y
                    }
                    for k in 0..<n {
                        let x = v[k * n + p], y = v[k * n + q]
                        v[k * n + p] = c * x - s * y; v[k * n + q] = s * x + c * y
                    }
                }
            }
        }
        let order = (0..<n).sorted { m[$0 * n + $0] > m[$1 * n + $1] }
        var values = [Double](repeating: 0, count: n), vectors = v
        for (col, i) in order.enumerated() {
            values[col] = m[i * n + i]
            for k in 0..<n { vectors[k * n + col] = v[k * n + i] }
        }
        return (values, vectors)
    }
}
