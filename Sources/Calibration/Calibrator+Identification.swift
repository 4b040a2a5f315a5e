import Foundation
import IRT

/// How a K > 1 fit removes the rotation. Abilities whitened to covariance I
/// and the likelihood are unchanged by any orthogonal R (θ ← Rᵀθ, a ← Rᵀa);
/// what pins R down depends on whether the item priors are estimated
/// (docs/estimator.md, "K > 1: identification and acceleration").
public enum RotationIdentification: String, Sendable {
    /// Empirical-Bayes item priors (an item matrix of hundreds of questions):
    /// dimension 1 is the general factor, fixed by the objective itself (the
    /// weak ability ridge and a free prior mean for its loadings, against
    /// N(0, 1) abilities and pooled zero-mean loading priors on dimensions
    /// 2…K), and dimensions 2…K are the principal axes of their loadings.
    /// Accelerated by SQUAREM.
    case principalAxes = "principal-axes"
    /// Fixed priors only (`--prior none`, or a table of fewer than 20
    /// benchmark scores, whose pooled group keeps the ridge): item j < K − 1
    /// does not load on dimensions c > j, the textbook lower-triangular
    /// constraint. With fixed isotropic priors nothing else tells the
    /// dimensions apart, and on a table every item is a whole benchmark, so
    /// the anchors are informative (the scaling-law backtests were measured
    /// with it: principal axes there moved the nested choice of K to 1 and
    /// protocol A's MAE from 0.0385 to 0.0404).
    case anchorItems = "anchor-items"
}

/// Identification: the replicated step after the item step that maps the
/// fit to its identified scale and rotation, identically on every rank.
extension Calibrator {
    /// The rotation rule of this fit (meaningful for 2PL with K > 1).
    static func rotationIdentification(prior: ItemPrior) -> RotationIdentification {
        prior.fixedGroups.allSatisfy { $0 } ? .anchorItems : .principalAxes
    }

    /// A loading held at zero by the anchor-item identification (item j < c).
    @inline(__always)
    func isFixedZero(item j: Int, slot c: Int) -> Bool {
        rotation == .anchorItems && options.model == .twoPL && k > 1 && c < k && j < c
    }

    /// Prior precision of dimension c of every ability: the small ridge
    /// (`FitOptions.thetaPriorPrecision`), and under principal axes N(0, 1)
    /// on dimensions 2…K (`FitOptions.furtherDimensionPrecision`).
    func abilityPrecision(dimension c: Int) -> Double {
        c == 0 || rotation == .anchorItems ? options.thetaPriorPrecision : FitOptions.furtherDimensionPrecision
    }

    /// Identification: abilities standardised to mean 0 and sd 1 per
    /// dimension (1PL: mean 0 only, the unit slope fixes the scale), items
    /// transformed so every a·θ + d is unchanged. For K > 1 the abilities are
    /// whitened (covariance I, by the Cholesky factor L of their covariance:
    /// θ ← L⁻¹(θ − μ), a ← Lᵀa, d ← d + a·μ): otherwise the correlation
    /// between dimensions is a nearly flat direction of the objective that
    /// alternating steps crawl along. Lᵀ is upper triangular, so whitening
    /// keeps the anchor-item zeros; under principal axes the rotation is then
    /// fixed by `rotateToPrincipalAxes`.
    func standardise(sums: [Double]) {
        let m = Double(totalModels), n = shard.items
        var mean = [Double](repeating: 0, count: k)
        for c in 0..<k { mean[c] = sums[c] / m }
        guard options.model == .twoPL else {
            for j in 0..<n { items.d[j] += items.a[j * k] * mean[0] }
            for r in 0..<shard.rows { theta[r * k] -= mean[0] }
            return
        }
        // Covariance of the abilities over all ranks (K(K+1)/2 sums; K = 1 has it in `sums`).
        var cov = [Double](repeating: 0, count: k * k)
        if k == 1 {
            cov[0] = sums[1] / m - mean[0] * mean[0]
        } else {
            var cross = [Double](repeating: 0, count: k * k)
            for r in 0..<shard.rows {
                for c in 0..<k {
                    let x = theta[r * k + c] - mean[c]
                    for c2 in 0...c { cross[c * k + c2] += x * (theta[r * k + c2] - mean[c2]) }
                }
            }
            comm.allreduceSum(&cross)
            for c in 0..<k { for c2 in 0...c { cov[c * k + c2] = cross[c * k + c2] / m; cov[c2 * k + c] = cov[c * k + c2] } }
        }
        for c in 0..<k { cov[c * k + c] = max(cov[c * k + c], 1e-12) }
        var l = cov
        let ok = l.withUnsafeMutableBufferPointer { SmallLinearAlgebra.cholesky($0.baseAddress!, k) }
        if !ok {
            // Degenerate (collinear) dimensions: fall back to per-dimension scaling.
            l = [Double](repeating: 0, count: k * k)
            for c in 0..<k { l[c * k + c] = cov[c * k + c].squareRoot() }
        }
        for c in 0..<k { for c2 in 0..<k where c2 > c { l[c * k + c2] = 0 } }   // keep L only
        var a = [Double](repeating: 0, count: k)
        for j in 0..<n {
            for c in 0..<k { items.d[j] += items.a[j * k + c] * mean[c]; a[c] = items.a[j * k + c] }
            for c in 0..<k {                       // a' = Lᵀa
                var v = 0.0
                for r in c..<k { v += l[r * k + c] * a[r] }
                items.a[j * k + c] = v
            }
        }
        var x = [Double](repeating: 0, count: k)
        for r in 0..<shard.rows {                  // θ' = L⁻¹(θ − μ), forward substitution
            for c in 0..<k {
                var v = theta[r * k + c] - mean[c]
                for c2 in 0..<c { v -= l[c * k + c2] * x[c2] }
                x[c] = v / l[c * k + c]
            }
            for c in 0..<k { theta[r * k + c] = x[c] }
        }
        if rotation == .principalAxes { rotateToPrincipalAxes() }
    }

    /// The rotation among dimensions 2…K (K ≥ 3). The penalised objective
    /// fixes dimension 1 on its own: it is the only one whose loadings have a
    /// free prior mean and whose abilities have the weak prior, so it is the
    /// general factor. Dimensions 2…K have the same N(0, 1) ability prior and
    /// one pooled zero-mean loading prior, so any orthogonal R among them
    /// (θ ← Rᵀθ, a ← Rᵀa) leaves the objective unchanged; the fit fixes R as
    /// the principal axes of those loadings, the eigenvectors of Σ_j a_j a_jᵀ
    /// in decreasing order of eigenvalue, each axis signed to keep its
    /// direction from the previous iteration. Axes whose spreads are nearly
    /// tied (ratio above `principalAxisTie`) are not told apart by the
    /// eigenvectors, which would swing between iterations; within such a
    /// group the basis closest to the current axes is kept.
    ///
    /// Why not zero loadings on the first items (the textbook lower-triangular
    /// constraint): those items may be ones every model solves, which carry no
    /// information about the rotation, and the fit then drifts along it
    /// without converging (docs/estimator.md, "K > 1").
    /// The items are replicated, so every rank computes the same R.
    func rotateToPrincipalAxes() {
        guard k > 2, options.model == .twoPL else { return }
        let n = shard.items, m = k - 1
        var s = [Double](repeating: 0, count: m * m)
        for j in 0..<n {
            for c in 0..<m { for c2 in 0...c { s[c * m + c2] += items.a[j * k + 1 + c] * items.a[j * k + 1 + c2] } }
        }
        for c in 0..<m { for c2 in 0..<c { s[c2 * m + c] = s[c * m + c2] } }
        let eig = SmallLinearAlgebra.symmetricEigen(s, m)
        var w = eig.vectors
        for col in 0..<m where w[col * m + col] < 0 { for c in 0..<m { w[c * m + col] = -w[c * m + col] } }
        var first = 0
        while first < m {
            var last = first
            while last + 1 < m && eig.values[last + 1] > Self.principalAxisTie * eig.values[last] { last += 1 }
            if last > first { alignWithCurrentAxes(&w, size: m, columns: first...last) }
            first = last + 1
        }
        var x = [Double](repeating: 0, count: m)
        func rotate(_ values: inout [Double], _ count: Int) {
            for i in 0..<count {
                for col in 0..<m {
                    var t = 0.0
                    for c in 0..<m { t += values[i * k + 1 + c] * w[c * m + col] }
                    x[col] = t
                }
                for c in 0..<m { values[i * k + 1 + c] = x[c] }
            }
        }
        rotate(&items.a, n)
        rotate(&theta, shard.rows)
    }

    /// Spread ratio (eigenvalue of the next axis over this one's) above which
    /// two principal axes count as tied.
    public static let principalAxisTie = 0.5

    /// Replaces the eigenvectors in `columns` (a group of tied axes, which span
    /// a subspace but have no preferred directions in it) by the orthonormal
    /// basis of the same subspace closest to the current axes of those
    /// positions: V_C ← V_C Q with B = V[C, C] (the block of the group's rows
    /// and columns) and Q = (BᵀB)^(−1/2) Bᵀ, its polar factor transposed,
    /// which makes B Q symmetric positive semi-definite.
    func alignWithCurrentAxes(_ v: inout [Double], size k: Int, columns: ClosedRange<Int>) {
        let m = columns.count, c0 = columns.lowerBound
        var b = [Double](repeating: 0, count: m * m)            // B[i][j] = V[c0+i][c0+j]
        for i in 0..<m { for j in 0..<m { b[i * m + j] = v[(c0 + i) * k + c0 + j] } }
        var btb = [Double](repeating: 0, count: m * m)
        for i in 0..<m { for j in 0..<m { for r in 0..<m { btb[i * m + j] += b[r * m + i] * b[r * m + j] } } }
        let e = SmallLinearAlgebra.symmetricEigen(btb, m)
        guard let smallest = e.values.last, smallest > 1e-12 else { return }
        var inverseRoot = [Double](repeating: 0, count: m * m)   // (BᵀB)^(−1/2)
        for i in 0..<m { for j in 0..<m { for r in 0..<m {
            inverseRoot[i * m + j] += e.vectors[i * m + r] * e.vectors[j * m + r] / e.values[r].squareRoot()
        } } }
        var q = [Double](repeating: 0, count: m * m)             // Q = (BᵀB)^(−1/2) Bᵀ
        for i in 0..<m { for j in 0..<m { for r in 0..<m { q[i * m + j] += inverseRoot[i * m + r] * b[j * m + r] } } }
        var row = [Double](repeating: 0, count: m)
        for c in 0..<k {
            for j in 0..<m {
                var t = 0.0
                for r in 0..<m { t += v[c * k + c0 + r] * q[r * m + j] }
                row[j] = t
            }
            for j in 0..<m { v[c * k + c0 + j] = row[j] }
        }
    }
}
