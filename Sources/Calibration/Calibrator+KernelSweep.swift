import CKernels
import Distributed
import Foundation
import IRT

/// The vectorised pass through the C kernels (K = 1).
extension Calibrator {
    /// The K = 1 pass through the vectorised C kernels: the same ability
    /// step and item accumulation as `sweep`, for the case that dominates
    /// the run time. (`sweep` remains the reference and serves K > 1 and the
    /// observed-information pass.)
    /// With `thetaSE` it leaves the abilities alone and accumulates observed
    /// information instead, for the standard errors.
    func kernelSweep(acc: UnsafeMutablePointer<Double>, thetaSE: UnsafeMutablePointer<Double>? = nil) {
        let n = shard.items
        let beta = options.response == .beta, twoPL = options.model == .twoPL
        let ridge = options.thetaPriorPrecision, bound = options.thetaBound, maxStep = options.maxStep
        let benchmark = items.benchmarkOfItem.map { Int($0) }
        let terms = items.phi.map { GammaTerms($0) }
        let phiItem = benchmark.map { items.phi[$0] }
        let lgPhi = benchmark.map { terms[$0].logGamma }
        let dgPhi = benchmark.map { terms[$0].digamma }
        let tgPhi = benchmark.map { terms[$0].trigamma }
        // 1PL has no discrimination slots: the kernels' a-terms go to scratch.
        var scratch = [Double](repeating: 0, count: twoPL ? 0 : 3 * n)
        // log y and log(1 − y) of the current row, shared by the two Beta kernels.
        var logs = [Double](repeating: 0, count: beta ? 2 * n : 0)
        let tail = layout.tail
        var logLik = 0.0
        var sums = [0.0, 0.0]
        shard.responses.withUnsafeBufferPointer { yAll in
        (shard.trials ?? []).withUnsafeBufferPointer { tAll in
        items.a.withUnsafeBufferPointer { a in
        items.d.withUnsafeBufferPointer { d in
        items.g.withUnsafeBufferPointer { g in
        phiItem.withUnsafeBufferPointer { phi in
        lgPhi.withUnsafeBufferPointer { lg in
        dgPhi.withUnsafeBufferPointer { dg in
        tgPhi.withUnsafeBufferPointer { tg in
        scratch.withUnsafeMutableBufferPointer { sc in
        logs.withUnsafeMutableBufferPointer { logBuf in
        sums.withUnsafeMutableBufferPointer { sumBuf in
        theta.withUnsafeMutableBufferPointer { th in
            let slot = { (q: Int) in acc + q * n }
            let gA = twoPL ? slot(0) : sc.baseAddress!
            let gD = twoPL ? slot(1) : slot(0)
            let hAA = twoPL ? slot(2) : sc.baseAddress! + n
            let hAD = twoPL ? slot(3) : sc.baseAddress! + 2 * n
            let hDD = twoPL ? slot(4) : slot(1)
            let dPhi = slot(stride), d2Phi = slot(stride + 1)
            let trials = tAll.isEmpty ? nil : tAll.baseAddress!
            let out = sumBuf.baseAddress!
            let observed: Int32 = thetaSE == nil ? 0 : 1
            let logY = logBuf.baseAddress, log1mY = logBuf.baseAddress.map { $0 + n }
            for r in 0..<shard.rows {
                let y = yAll.baseAddress! + r * n
                let t = trials.map { $0 + r * n }
                out[0] = 0; out[1] = 0
                if beta {
                    irsl_beta_theta_k1(n, y, a.baseAddress!, d.baseAddress!, g.baseAddress!, phi.baseAddress!, th[r], observed, out, logY, log1mY)
                } else {
                    irsl_binomial_theta_k1(n, y, t, a.baseAddress!, d.baseAddress!, g.baseAddress!, th[r], observed, out)
                }
                let value: Double
                if let se = thetaSE {
                    se[r] = out[1] + ridge > 0 ? (1 / (out[1] + ridge)).squareRoot() : .nan
                    value = th[r]
                } else {
                    // Newton (Fisher scoring) with the ridge, trust region and norm bound.
                    var step = (out[0] - ridge * th[r]) / (out[1] + ridge)
                    if !step.isFinite { step = 0 }
                    step = min(max(step, -maxStep), maxStep)
                    value = min(max(th[r] + step, -bound), bound)
                    th[r] = value
                }
                acc[tail + 1] += value
                acc[tail + 2] += value * value
                if beta {
                    logLik += irsl_beta_items_k1(n, y, a.baseAddress!, d.baseAddress!, g.baseAddress!, phi.baseAddress!,
                                                 lg.baseAddress!, dg.baseAddress!, tg.baseAddress!, logY, log1mY, value, observed,
                                                 gA, gD, hAA, hAD, hDD, dPhi, d2Phi)
                } else {
                    logLik += irsl_binomial_items_k1(n, y, t, a.baseAddress!, d.baseAddress!, g.baseAddress!, value, observed,
                                                     gA, gD, hAA, hAD, hDD)
                }
            }
        }}}}}}}}}}}}}
        acc[tail] += logLik
    }
}
