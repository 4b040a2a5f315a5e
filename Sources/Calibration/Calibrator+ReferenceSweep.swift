import CKernels
import Distributed
import Foundation
import IRT

/// The plain Swift pass over a shard: the reference loop (every K, every
/// likelihood) that the vectorised kernels are tested against.
extension Calibrator {
    /// The pass over this rank's rows. With `updateTheta` it takes each
    /// row's ability step first; it always accumulates the item blocks at
    /// the (new) abilities.
    @inline(__always)
    func sweep<L: EntryLikelihood>(_ likelihood: L.Type, acc: UnsafeMutablePointer<Double>,
                                           updateTheta: Bool, observedInformation: Bool,
                                           thetaSE: UnsafeMutablePointer<Double>?) {
        let n = shard.items, k = self.k, p = self.p, stride = self.stride
        let twoPL = options.model == .twoPL
        let tail = layout.tail
        let phiTerms = items.phi.map { GammaTerms($0) }
        let ridge = options.thetaPriorPrecision, bound = options.thetaBound, maxStep = options.maxStep
        var grad = [Double](repeating: 0, count: k), info = [Double](repeating: 0, count: k * k)
        var x = [Double](repeating: 1, count: p)
        var logLik = 0.0
        shard.responses.withUnsafeBufferPointer { yAll in
        (shard.trials ?? []).withUnsafeBufferPointer { tAll in
        items.a.withUnsafeBufferPointer { a in
        items.d.withUnsafeBufferPointer { d in
        items.g.withUnsafeBufferPointer { g in
        items.phi.withUnsafeBufferPointer { phi in
        items.benchmarkOfItem.withUnsafeBufferPointer { bench in
        phiTerms.withUnsafeBufferPointer { phiT in
        theta.withUnsafeMutableBufferPointer { th in
        grad.withUnsafeMutableBufferPointer { gBuf in
        info.withUnsafeMutableBufferPointer { hBuf in
        x.withUnsafeMutableBufferPointer { xBuf in
            let hasTrials = !tAll.isEmpty
            let gr = gBuf.baseAddress!, h = hBuf.baseAddress!, xv = xBuf.baseAddress!
            for r in 0..<shard.rows {
                let y = yAll.baseAddress! + r * n
                let t = hasTrials ? tAll.baseAddress! + r * n : nil
                let tr = th.baseAddress! + r * k
                if updateTheta || thetaSE != nil {
                    // Ability step: Newton with the Fisher (or, for SEs, observed) information.
                    for c in 0..<k { gr[c] = 0 }
                    for c in 0..<(k * k) { h[c] = 0 }
                    for j in 0..<n {
                        let yj = y[j]
                        if yj.isNaN { continue }
                        let aj = a.baseAddress! + j * k
                        var eta = d[j]
                        for c in 0..<k { eta += aj[c] * tr[c] }
                        let trials = t.map { Double($0[j]) } ?? 1
                        let s: Double, w: Double
                        if observedInformation {
                            let e = L.terms(y: Double(yj), trials: trials, eta: eta, floor: g[j], phi: phi[Int(bench[j])], phiTerms: phiT[Int(bench[j])])
                            s = e.score; w = e.observed
                        } else {
                            (s, w) = L.scoreAndFisher(y: Double(yj), trials: trials, eta: eta, floor: g[j], phi: phi[Int(bench[j])])
                        }
                        for c in 0..<k {
                            gr[c] += s * aj[c]
                            let wa = w * aj[c]
                            for c2 in 0...c { h[c * k + c2] += wa * aj[c2] }
                        }
                    }
                    for c in 0..<k {
                        gr[c] -= ridge * tr[c]
                        h[c * k + c] += ridge
                        for c2 in 0..<c { h[c2 * k + c] = h[c * k + c2] }
                    }
                    let ok = SmallLinearAlgebra.cholesky(h, k)
                    if let se = thetaSE {
                        if ok {
                            let v = SmallLinearAlgebra.inverseDiagonal(h, k)
                            for c in 0..<k { se[r * k + c] = v[c].squareRoot() }
                        } else {
                            for c in 0..<k { se[r * k + c] = .nan }
                        }
                    }
                    if updateTheta && ok {
                        SmallLinearAlgebra.choleskySolve(h, k, gr)
                        var largest = 0.0
                        for c in 0..<k { largest = max(largest, abs(gr[c])) }
                        let scale = largest > maxStep ? maxStep / largest : 1
                        var norm2 = 0.0
                        for c in 0..<k { tr[c] += scale * gr[c]; norm2 += tr[c] * tr[c] }
                        if norm2 > bound * bound {
                            let shrink = bound / norm2.squareRoot()
                            for c in 0..<k { tr[c] *= shrink }
                        }
                    }
                }
                // Item contributions at this row's (new) ability.
                for c in 0..<k { acc[tail + 1 + c] += tr[c]; acc[tail + 1 + k + c] += tr[c] * tr[c] }
                if twoPL { for c in 0..<k { xv[c] = tr[c] } }
                for j in 0..<n {
                    let yj = y[j]
                    if yj.isNaN { continue }
                    let aj = a.baseAddress! + j * k
                    var eta = d[j]
                    for c in 0..<k { eta += aj[c] * tr[c] }
                    let b = Int(bench[j])
                    let trials = t.map { Double($0[j]) } ?? 1
                    let e = L.terms(y: Double(yj), trials: trials, eta: eta, floor: g[j], phi: phi[b], phiTerms: phiT[b])
                    logLik += e.logLikelihood
                    let w = observedInformation ? e.observed : e.fisher
                    let slot = acc + j        // slot q of item j lives at q·n + j
                    var idx = p
                    for c in 0..<p {
                        slot[c * n] += e.score * xv[c]
                        let wx = w * xv[c]
                        for c2 in 0...c { slot[idx * n] += wx * xv[c2]; idx += 1 }
                    }
                    slot[stride * n] += e.dPhi
                    slot[(stride + 1) * n] += e.d2Phi
                }
            }
        }}}}}}}}}}}}
        acc[tail] += logLik
    }
}
