import CKernels
import MessagePassing
import Foundation
import IRT

/// The replicated steps every rank takes identically after the allreduce:
/// items and Beta precisions (identification: Calibrator+Identification.swift).
extension Calibrator {
    /// The identical-on-every-rank item step: Fisher scoring on the
    /// penalised objective (likelihood + item prior), the anchor-item
    /// constraint where the rotation uses it, a trust region and the norm
    /// bound; then the empirical-Bayes update of the prior from the new items
    /// and their posterior variances.
    func itemStep(_ acc: [Double]) {
        let n = shard.items, k = self.k, p = self.p
        var h = [Double](repeating: 0, count: p * p), step = [Double](repeating: 0, count: p)
        var params = [Double](repeating: 0, count: p)
        var posteriorVariance = [Double](repeating: .nan, count: n * p)
        for j in 0..<n {
            itemParameters(j, into: &params)
            informationBlock(acc, item: j, into: &h)
            for c in 0..<p {
                step[c] = acc[c * n + j] - prior.precision(item: j, slot: c) * (params[c] - prior.mean(item: j, slot: c))
            }
            // Anchor items (K > 1 without estimated priors): item j < K−1 does not load on dimensions c > j.
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
            for c in 0..<p { params[c] += scale * step[c] }
            params.withUnsafeMutableBufferPointer { SmallLinearAlgebra.clampNorm($0.baseAddress!, p, radius: options.itemBound) }
            setItemParameters(j, from: params)
        }
        prior.update(items: n,
                     value: { j, c in self.isFixedZero(item: j, slot: c) ? nil : self.itemParameter(j, slot: c) },
                     posteriorVariance: { j, c in posteriorVariance[j * p + c] })
    }

    /// Item j's free parameters in slot order: (a_1 … a_K, d) or (d).
    func itemParameters(_ j: Int, into params: inout [Double]) {
        for c in 0..<p { params[c] = itemParameter(j, slot: c) }
    }

    /// Writes item j's free parameters back from slot order.
    func setItemParameters(_ j: Int, from params: [Double]) {
        if options.model == .twoPL {
            for c in 0..<k { items.a[j * k + c] = params[c] }
            items.d[j] = params[k]
        } else {
            items.d[j] = params[0]
        }
    }

    @inline(__always)
    func itemParameter(_ j: Int, slot c: Int) -> Double {
        options.model == .twoPL ? (c < k ? items.a[j * k + c] : items.d[j]) : items.d[j]
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
}
