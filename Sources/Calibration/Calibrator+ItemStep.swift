import CKernels
import MessagePassing
import Foundation
import IRT

/// The replicated steps every rank takes identically after the allreduce:
/// items, Beta precisions, identification.
extension Calibrator {
    /// The identical-on-every-rank item step: Fisher scoring on the
    /// penalised objective (likelihood + item prior), the loading constraint,
    /// a trust region and the norm bound; then the empirical-Bayes update of
    /// the prior from the new items and their posterior variances.
    func itemStep(_ acc: [Double]) {
        let n = shard.items, k = self.k, p = self.p
        let twoPL = options.model == .twoPL
        var h = [Double](repeating: 0, count: p * p), step = [Double](repeating: 0, count: p)
        var params = [Double](repeating: 0, count: p)
        var posteriorVariance = [Double](repeating: .nan, count: n * p)
        for j in 0..<n {
            itemParameters(j, into: &params)
            informationBlock(acc, item: j, into: &h)
            for c in 0..<p {
                step[c] = acc[c * n + j] - prior.precision(item: j, slot: c) * (params[c] - prior.mean(item: j, slot: c))
            }
            // Lower-triangular loadings for K > 1: item j < K−1 does not load on dimensions c > j.
            if isFixedZero(item: j, slot: k - 1) {
                for c in (j + 1)..<k {
                    for c2 in 0..<p { h[c * p + c2] = 0; h[c2 * p + c] = 0 }
                    h[c * p + c] = 1; step[c] = 0
                }
            }
            let ok = h.withUnsafeMutableBufferPointer { SmallLinearAlgebra.cholesky($0.baseAddress!, p) }
            guard ok else { continue }
            h.withUnsafeBufferPointer { l in
                step.withUnsafeMutableBufferPointer { SmallLinearAlgebra.choleskySolve(l.baseAddress!, p, $0.baseAddress!) }
                let v = SmallLinearAlgebra.inverseDiagonal(l.baseAddress!, p)
                for c in 0..<p { posteriorVariance[j * p + c] = v[c] }
            }
            let largest = step.map(abs).max() ?? 0
            let scale = largest > options.maxStep ? options.maxStep / largest : 1
            var norm2 = 0.0
            for c in 0..<p { params[c] += scale * step[c]; norm2 += params[c] * params[c] }
            if norm2 > options.itemBound * options.itemBound {
                let shrink = options.itemBound / norm2.squareRoot()
                for c in 0..<p { params[c] *= shrink }
            }
            if twoPL {
                for c in 0..<k { items.a[j * k + c] = params[c] }
                items.d[j] = params[k]
            } else {
                items.d[j] = params[0]
            }
        }
        prior.update(items: n,
                     value: { j, c in self.isFixedZero(item: j, slot: c) ? nil : self.itemParameter(j, slot: c) },
                     posteriorVariance: { j, c in posteriorVariance[j * p + c] })
    }

    /// Item j's free parameters in slot order: (a_1 … a_K, d) or (d).
    func itemParameters(_ j: Int, into params: inout [Double]) {
        for c in 0..<p { params[c] = itemParameter(j, slot: c) }
    }

    @inline(__always)
    func itemParameter(_ j: Int, slot c: Int) -> Double {
        options.model == .twoPL ? (c < k ? items.a[j * k + c] : items.d[j]) : items.d[j]
    }

    /// A loading held at zero by the lower-triangular identification (item j < c).
    @inline(__always)
    func isFixedZero(item j: Int, slot c: Int) -> Bool {
        options.model == .twoPL && k > 1 && c < k && j < c
    }

    /// Item j's information block from the accumulated slots, as a full
    /// symmetric p × p matrix, with the prior precision on the diagonal: the
    /// curvature of the penalised objective, for the step and for the
    /// (posterior) standard errors.
    func informationBlock(_ acc: [Double], item j: Int, into h: inout [Double]) {
        let n = shard.items, p = self.p
        var idx = p
        for c in 0..<p {
            for c2 in 0...c {
                let v = acc[idx * n + j]
                h[c * p + c2] = v; h[c2 * p + c] = v; idx += 1
            }
            h[c * p + c] += prior.precision(item: j, slot: c)
        }
    }

    /// Precision φ (Beta, beta-binomial): one Newton step on log φ per
    /// benchmark, from the per-item derivative slots summed over the
    /// benchmark's items. Where the log-likelihood is not concave in log φ
    /// (the beta-binomial's can be far from the optimum) it moves by the
    /// trust region in the gradient's direction instead of standing still.
    func phiStep(_ acc: [Double]) {
        let n = shard.items
        var grad = [Double](repeating: 0, count: items.benchmarkCount), curvature = grad
        for j in 0..<n {
            let b = Int(items.benchmarkOfItem[j])
            grad[b] += acc[stride * n + j]
            curvature[b] += acc[(stride + 1) * n + j]
        }
        for b in 0..<items.benchmarkCount where grad[b] != 0 && grad[b].isFinite {
            let phi = items.phi[b]
            let g = grad[b] * phi                                  // dℓ/d log φ
            let c = curvature[b] * phi * phi + grad[b] * phi       // d²ℓ/d(log φ)²
            let newton = c < 0 ? -g / c : (g > 0 ? 1.0 : -1.0) * options.maxStep
            let step = min(max(newton, -options.maxStep), options.maxStep)   // Δ log φ
            items.phi[b] = min(max(phi * exp(step), 1e-2), 1e6)
        }
    }

    /// Identification: abilities standardised to mean 0 and sd 1 per
    /// dimension (1PL: mean 0 only, the unit slope fixes the scale), items
    /// transformed so every a·θ + d is unchanged. For K > 1 the abilities are
    /// whitened (covariance I, by the Cholesky factor L of their covariance:
    /// θ ← L⁻¹(θ − μ), a ← Lᵀa, d ← d + a·μ): otherwise the correlation
    /// between dimensions is a nearly flat direction of the objective that
    /// alternating steps crawl along. Lᵀ is upper triangular, so the
    /// lower-triangular loading constraint is preserved.
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
    }
}
