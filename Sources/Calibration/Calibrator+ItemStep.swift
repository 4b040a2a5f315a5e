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
    /// bound; with a precision (Beta, beta-binomial), one joint Newton step
    /// on the items and their benchmark's log φ (`precisionSteps`); then the
    /// empirical-Bayes update of the prior from the new items and their
    /// posterior variances.
    func itemStep(_ acc: [Double]) {
        let n = shard.items, k = self.k, p = self.p
        let hasPrecision = options.response.hasPrecision, joint = options.response.stepsPrecisionJointly
        var h = [Double](repeating: 0, count: p * p), step = [Double](repeating: 0, count: p)
        var cross = [Double](repeating: 0, count: p)
        var params = [Double](repeating: 0, count: p)
        var posteriorVariance = [Double](repeating: .nan, count: n * p)
        // Per item: s = H⁻¹g (its own Newton step) and t = H⁻¹h (how that
        // step moves with log φ); no step where H is not positive definite.
        var newton = [Double](repeating: 0, count: n * p), coupling = [Double](repeating: 0, count: n * p)
        var solved = [Bool](repeating: false, count: n)
        var crossSums = CrossSums(benchmarks: joint ? items.benchmarkCount : 0)
        for j in 0..<n {
            itemParameters(j, into: &params)
            informationBlock(acc, item: j, into: &h)
            for c in 0..<p {
                step[c] = acc[c * n + j] - prior.precision(item: j, slot: c) * (params[c] - prior.mean(item: j, slot: c))
                cross[c] = joint ? acc[(stride + 2 + c) * n + j] * items.phi[Int(items.benchmarkOfItem[j])] : 0
            }
            // Anchor items (K > 1 without estimated priors): item j < K−1 does not load on dimensions c > j.
            if isFixedZero(item: j, slot: k - 1) {
                for c in (j + 1)..<k {
                    for c2 in 0..<p { h[c * p + c2] = 0; h[c2 * p + c] = 0 }
                    h[c * p + c] = 1; step[c] = 0; cross[c] = 0
                }
            }
            let ok = h.withUnsafeMutableBufferPointer { SmallLinearAlgebra.cholesky($0.baseAddress!, p) }
            guard ok else { continue }
            solved[j] = true
            let h0 = cross
            h.withUnsafeBufferPointer { l in
                step.withUnsafeMutableBufferPointer { SmallLinearAlgebra.choleskySolve(l.baseAddress!, p, $0.baseAddress!) }
                if joint {
                    cross.withUnsafeMutableBufferPointer { SmallLinearAlgebra.choleskySolve(l.baseAddress!, p, $0.baseAddress!) }
                    let b = Int(items.benchmarkOfItem[j])
                    for c in 0..<p { crossSums.step[b] += h0[c] * step[c]; crossSums.coupling[b] += h0[c] * cross[c] }
                }
                let v = SmallLinearAlgebra.inverseDiagonal(l.baseAddress!, p)
                for c in 0..<p { posteriorVariance[j * p + c] = v[c] }
            }
            for c in 0..<p { newton[j * p + c] = step[c]; coupling[j * p + c] = cross[c] }
        }
        let logPhiStep = hasPrecision ? precisionSteps(acc, crossSums) : []
        for j in 0..<n where solved[j] {
            itemParameters(j, into: &params)
            let du = hasPrecision ? logPhiStep[Int(items.benchmarkOfItem[j])] : 0
            for c in 0..<p { step[c] = newton[j * p + c] - coupling[j * p + c] * du }
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

    /// Precision φ (Beta, beta-binomial): per benchmark b, the log φ part of
    /// one Newton step on (its items, log φ_b) together, and the new φ.
    ///
    /// Why jointly: an item's (a, d) and its benchmark's φ trade off (how
    /// much of an entry's spread the item explains against the noise), and
    /// two separate steps from the same point overshoot along that
    /// direction: the fit then converges by an oscillation that shrinks by
    /// only about half per iteration (the published-scale Beta fit: a
    /// handful of extreme items, long after the abilities had settled).
    /// With the items' blocks H_j, their cross informations h_j = −∂²ℓ/∂x_j∂log φ
    /// and s_j = H_j⁻¹g_j, t_j = H_j⁻¹h_j, the joint step is the Schur complement
    ///
    ///     Δlog φ = (g_φ − Σ h_j·s_j) / (H_φφ − Σ h_j·t_j),   Δx_j = s_j − t_j Δlog φ,
    ///
    /// where H_φφ = −d²ℓ/d(log φ)². The fixed point is unchanged: only the
    /// step's curvature has the cross terms. Where the joint curvature is
    /// not positive (far from the optimum; the beta-binomial's log φ can be
    /// convex there) log φ moves by its own Newton step, or by the trust
    /// region in the gradient's direction, and the items take their own
    /// steps. Returns the Δlog φ each benchmark's item steps follow (zero
    /// where the steps are separate).
    func precisionSteps(_ acc: [Double], _ cross: CrossSums) -> [Double] {
        let n = shard.items, benchmarks = items.benchmarkCount
        var grad = [Double](repeating: 0, count: benchmarks), curvature = grad
        for j in 0..<n {
            let b = Int(items.benchmarkOfItem[j])
            grad[b] += acc[stride * n + j]
            curvature[b] += acc[(stride + 1) * n + j]
        }
        var steps = [Double](repeating: 0, count: benchmarks)
        for b in 0..<benchmarks where grad[b] != 0 && grad[b].isFinite {
            let phi = items.phi[b]
            let g = grad[b] * phi                                  // dℓ/d log φ
            let c = curvature[b] * phi * phi + grad[b] * phi       // d²ℓ/d(log φ)²
            let schur = -c - cross.coupling[b]                     // H_φφ − Σ h_j·t_j
            let joint = options.response.stepsPrecisionJointly && c < 0 && schur > Self.jointCurvatureFloor * -c
            let newton = joint ? (g - cross.step[b]) / schur : (c < 0 ? -g / c : (g > 0 ? 1.0 : -1.0) * options.maxStep)
            let step = min(max(newton, -options.maxStep), options.maxStep)   // Δ log φ
            if joint { steps[b] = step }
            items.phi[b] = min(max(phi * exp(step), 1e-2), 1e6)
        }
        return steps
    }

    /// The joint step is taken while its Schur complement keeps at least
    /// this share of log φ's own curvature; below it the cross terms are
    /// not to be trusted (far from the optimum) and the steps are separate.
    static let jointCurvatureFloor = 0.01
}

/// Per benchmark, the items' Σ h_j·s_j and Σ h_j·t_j of the joint
/// (items, log φ) step (`Calibrator.precisionSteps`).
struct CrossSums {
    var step: [Double]
    var coupling: [Double]
    init(benchmarks: Int) {
        step = [Double](repeating: 0, count: benchmarks)
        coupling = step
    }
}
