import CKernels
import Distributed
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

    /// Beta precision: one Fisher-scoring step on log φ per benchmark, from
    /// the per-item derivative slots summed over the benchmark's items.
    func phiStep(_ acc: [Double]) {
        let n = shard.items
        var grad = [Double](repeating: 0, count: items.benchmarkCount), curvature = grad
        for j in 0..<n {
            let b = Int(items.benchmarkOfItem[j])
            grad[b] += acc[stride * n + j]
            curvature[b] += acc[(stride + 1) * n + j]
        }
        for b in 0..<items.benchmarkCount where curvature[b] < 0 {
            let phi = items.phi[b]
            let step = min(max(grad[b] / (-curvature[b] * phi), -options.maxStep), options.maxStep)   // Δ log φ
            items.phi[b] = min(max(phi * exp(step), 1e-2), 1e6)
        }
    }

    /// Identification: abilities standardised to mean 0 and sd 1 per
    /// dimension (1PL: mean 0 only, the unit slope fixes the scale), items
    /// transformed so every a·θ + d is unchanged.
    func standardise(sums: [Double]) {
        let m = Double(totalModels), n = shard.items
        var mean = [Double](repeating: 0, count: k), sd = [Double](repeating: 1, count: k)
        for c in 0..<k {
            mean[c] = sums[c] / m
            if options.model == .twoPL {
                sd[c] = max((sums[k + c] / m - mean[c] * mean[c]).squareRoot(), 1e-6)
            }
        }
        for j in 0..<n {
            for c in 0..<k {
                items.d[j] += items.a[j * k + c] * mean[c]
                items.a[j * k + c] *= sd[c]
            }
        }
        for r in 0..<shard.rows {
            for c in 0..<k { theta[r * k + c] = (theta[r * k + c] - mean[c]) / sd[c] }
        }
    }
}
