import CKernels
import Distributed
import Foundation
import IRT

/// One line of progress, reported by every rank after each iteration (the
/// values are identical everywhere; the CLI prints rank 0's).
public struct IterationReport: Sendable {
    public var iteration: Int
    public var logLikelihood: Double
    /// |ΔLL| / |LL| since the previous iteration.
    public var relativeChange: Double
    /// Largest absolute change of any parameter (abilities included).
    public var maxParameterChange: Double
    public var seconds: Double
    public var entriesPerSecond: Double
    /// Rough seconds to convergence from the observed linear rate, nil while unknown.
    public var eta: Double?
}

/// How a fit ended.
public struct FitSummary: Sendable {
    public var iterations: Int
    public var converged: Bool
    /// Stopped at a boundary on request (a signal): not converged, resumable.
    public var interrupted: Bool
    public var logLikelihood: Double
    public var history: [Double]
    public var seconds: Double
    /// Wall time spent in iterations only (no setup, no standard errors).
    public var iterationSeconds: Double
    public var observations: Int
    public var clampedEntries: Int
}

/// Joint maximum likelihood by alternating Fisher-scoring steps, distributed
/// by model rows.
///
/// One iteration makes one pass over this rank's rows. For each row it takes
/// a Newton (Fisher-scoring) step on that model's ability given the current
/// items, then, with the row still in cache, adds the row's contributions to
/// every item's gradient and information block. A single allreduce sums the
/// blocks over ranks and every rank takes the same item step, so the
/// replicated item parameters stay bit-identical. Abilities are then
/// standardised (mean 0, sd 1 per dimension: the identification rule), with
/// the items transformed so that every linear predictor is unchanged.
public final class Calibrator {
    public let options: FitOptions
    public let comm: Communicator
    public let totalModels: Int
    public private(set) var shard: Shard
    /// This rank's abilities, [rows × K].
    public private(set) var theta: [Double]
    public private(set) var items: ItemParameters
    public private(set) var history: [Double] = []
    /// Wall time spent in the iterations' big allreduce (waiting included):
    /// the communication share of the scaling study.
    public private(set) var allreduceSeconds = 0.0

    private let k: Int
    private let p: Int         // free parameters per item
    private let stride: Int    // gradient + packed information per item
    /// The allreduced buffer, structure-of-arrays so the kernels stream it:
    /// slot q of item j at q·N + j, where slots 0..<p are the gradient,
    /// p..<stride the packed lower triangle of the information block, then
    /// dℓ/dφ and d²ℓ/dφ²; after the slots, the log-likelihood, Σθ_c and Σθ_c².
    private let layout: Layout

    struct Layout {
        let tail: Int
        let count: Int
        init(items n: Int, stride: Int, dims k: Int) {
            tail = (stride + 2) * n
            count = tail + 1 + 2 * k
        }
    }
    private let observations: Int
    private let clamped: Int

    /// - Parameters:
    ///   - floors: lower asymptote of each item (zeros unless the fit uses the file's floors).
    ///   - benchmarkOfItem: index of each item's benchmark, 0..<benchmarkCount.
    public init(options: FitOptions, comm: Communicator, totalModels: Int, shard: Shard,
                floors: [Double], benchmarkOfItem: [Int32], benchmarkCount: Int) {
        self.options = options
        self.comm = comm
        self.totalModels = totalModels
        self.shard = shard
        k = options.dims
        p = options.itemParameterCount
        stride = p + p * (p + 1) / 2
        let n = shard.items
        layout = Layout(items: n, stride: stride, dims: k)
        items = ItemParameters(dims: k, a: [Double](repeating: 1, count: n * k), d: [Double](repeating: 0, count: n),
                               g: floors, phi: [Double](repeating: 10, count: benchmarkCount), benchmarkOfItem: benchmarkOfItem)
        theta = [Double](repeating: 0, count: shard.rows * k)
        var counts = [Double(shard.observedEntries), Double(shard.clampedEntries)]
        comm.allreduceSum(&counts)
        observations = Int(counts[0])
        clamped = Int(counts[1])
        initialise()
    }

    // MARK: - Starting values

    /// Intercepts from item means, first ability from row means (both on the
    /// logit scale, floor removed), further dimensions from a fixed
    /// pseudo-random pattern keyed by the global row index, so starting
    /// values do not depend on the number of ranks.
    private func initialise() {
        let n = shard.items
        var sums = [Double](repeating: 0, count: 2 * n + 2)
        var rowLogit = [Double](repeating: 0, count: shard.rows)
        shard.responses.withUnsafeBufferPointer { y in
            for r in 0..<shard.rows {
                var s = 0.0, c = 0.0
                for j in 0..<n {
                    let v = y[r * n + j]
                    if v.isNaN { continue }
                    sums[j] += Double(v); sums[n + j] += 1
                    s += Double(v); c += 1
                }
                let mean = c > 0 ? s / c : 0.5
                rowLogit[r] = logit(min(max(mean, 0.02), 0.98))
                sums[2 * n] += rowLogit[r]
                sums[2 * n + 1] += rowLogit[r] * rowLogit[r]
            }
        }
        comm.allreduceSum(&sums)
        for j in 0..<n {
            let mean = sums[n + j] > 0 ? sums[j] / sums[n + j] : 0.5
            let g = items.g[j]
            items.d[j] = logit(min(max((mean - g) / max(1 - g, 1e-6), 0.02), 0.98))
        }
        let m = Double(totalModels)
        let mu = sums[2 * n] / m
        let sd = max((sums[2 * n + 1] / m - mu * mu).squareRoot(), 1e-3)
        for r in 0..<shard.rows {
            theta[r * k] = (rowLogit[r] - mu) / sd
            for c in 1..<max(k, 1) {
                var rng = PatternSource(UInt64(shard.rowStart + r) &* 31 &+ UInt64(c))
                theta[r * k + c] = rng.next()
            }
        }
        if k > 1 {
            for j in 0..<n {
                for c in 1..<k {
                    var rng = PatternSource(UInt64(j) &* 131 &+ UInt64(c) &+ 7)
                    items.a[j * k + c] = j < c ? 0 : 0.5 + 0.5 * rng.next()
                }
            }
        }
        if options.model == .onePL { for j in 0..<n { items.a[j] = 1 } }
    }

    // MARK: - The fit

    /// Runs iterations until convergence, the iteration limit, or until
    /// `boundary` (called on every rank after every iteration, where a
    /// checkpoint may be taken) asks to stop. A restored fit continues from
    /// its iteration counter and history, so it takes exactly the steps the
    /// uninterrupted fit would have taken.
    public func fit(progress: (IterationReport) -> Void = { _ in }) -> FitSummary {
        fit(progress: progress, boundary: { _ in false })
    }

    public func fit(progress: (IterationReport) -> Void,
                    boundary: (_ iteration: Int) throws -> Bool) rethrows -> FitSummary {
        let start = Date()
        var previous = history.last ?? .nan
        var converged = false
        var interrupted = false
        var iteration = history.count
        var rates: [Double] = []
        var iterationSeconds = 0.0
        while iteration < options.maxIterations {
            iteration += 1
            let t0 = Date()
            let (ll, maxChange) = iterate()
            let seconds = Date().timeIntervalSince(t0)
            iterationSeconds += seconds
            let rel = previous.isNaN ? .infinity : abs(ll - previous) / max(abs(ll), 1e-300)
            history.append(ll)
            rates.append(rel)
            converged = rel < options.tolerance && maxChange < options.parameterTolerance
            progress(IterationReport(iteration: iteration, logLikelihood: ll, relativeChange: rel,
                                     maxParameterChange: maxChange, seconds: seconds,
                                     entriesPerSecond: Double(observations) / max(seconds, 1e-9),
                                     eta: estimateRemaining(rates, secondsPerIteration: seconds)))
            previous = ll
            if converged { break }
            if try boundary(iteration) { interrupted = true; break }
        }
        return FitSummary(iterations: iteration, converged: converged, interrupted: interrupted,
                          logLikelihood: history.last ?? .nan,
                          history: history, seconds: Date().timeIntervalSince(start), iterationSeconds: iterationSeconds,
                          observations: observations, clampedEntries: clamped)
    }

    /// Replaces the state with a checkpoint's: this rank's rows of the
    /// abilities (any rank count may have written it), the items, the history.
    public func restore(_ checkpoint: Checkpoint) {
        let k = self.k
        for i in 0..<(shard.rows * k) { theta[i] = checkpoint.theta[shard.rowStart * k + i] }
        items.a = checkpoint.a
        items.d = checkpoint.d
        items.g = checkpoint.g
        items.phi = checkpoint.phi
        history = checkpoint.history
    }

    /// Linear convergence: the relative change shrinks by a roughly constant
    /// factor per iteration; extrapolate it to the tolerance.
    private func estimateRemaining(_ rates: [Double], secondsPerIteration: Double) -> Double? {
        guard rates.count >= 3 else { return nil }
        let r1 = rates[rates.count - 2], r2 = rates[rates.count - 1]
        guard r1 > 0, r2 > 0, r2 < r1, r1.isFinite else { return nil }
        let factor = r2 / r1
        guard r2 > options.tolerance else { return 0 }
        let steps = log(options.tolerance / r2) / log(factor)
        return min(steps, Double(options.maxIterations - history.count)) * secondsPerIteration
    }

    /// One alternating iteration; returns the log-likelihood at the updated
    /// abilities and the previous items, and the largest parameter change.
    public func iterate() -> (logLikelihood: Double, maxChange: Double) {
        switch options.response {
        case .beta: return iterate(BetaLikelihood.self)
        case .bernoulli, .binomial: return iterate(BinomialLikelihood.self)
        }
    }

    private func iterate<L: EntryLikelihood>(_ likelihood: L.Type) -> (logLikelihood: Double, maxChange: Double) {
        var acc = [Double](repeating: 0, count: layout.count)
        let oldTheta = theta
        acc.withUnsafeMutableBufferPointer { accBuf in
            if k == 1 && options.vectorKernels {
                kernelSweep(acc: accBuf.baseAddress!)
            } else {
                sweep(L.self, acc: accBuf.baseAddress!, updateTheta: true, observedInformation: false, thetaSE: nil)
            }
        }
        let reduceStart = Date()
        comm.allreduceSum(&acc)
        allreduceSeconds += Date().timeIntervalSince(reduceStart)
        let oldA = items.a, oldD = items.d
        itemStep(acc)
        if options.response == .beta { phiStep(acc) }
        standardise(sums: Array(acc[(layout.tail + 1)...]))
        // Changes are measured on the identified (standardised) scale, where
        // an ability held at the norm bound has converged however hard it pushes.
        var thetaChange = 0.0
        for i in theta.indices { thetaChange = max(thetaChange, abs(theta[i] - oldTheta[i])) }
        var itemChange = 0.0
        for i in items.a.indices { itemChange = max(itemChange, abs(items.a[i] - oldA[i])) }
        for i in items.d.indices { itemChange = max(itemChange, abs(items.d[i] - oldD[i])) }
        let maxChange = comm.allreduceMax(max(itemChange, thetaChange))
        return (acc[layout.tail], maxChange)
    }

    /// The pass over this rank's rows. With `updateTheta` it takes each
    /// row's ability step first; it always accumulates the item blocks at
    /// the (new) abilities.
    @inline(__always)
    private func sweep<L: EntryLikelihood>(_ likelihood: L.Type, acc: UnsafeMutablePointer<Double>,
                                           updateTheta: Bool, observedInformation: Bool,
                                           thetaSE: UnsafeMutablePointer<Double>?) {
        let n = shard.items, k = self.k, p = self.p, stride = self.stride
        let twoPL = options.model == .twoPL
        let tail = layout.tail
        let phiTerms = items.phi.map { GammaTerms($0) }
        let ridge = options.thetaRidge, bound = options.thetaBound, maxStep = options.maxStep
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

    /// The K = 1 pass through the vectorised C kernels: the same ability
    /// step and item accumulation as `sweep`, for the case that dominates
    /// the run time. (`sweep` remains the reference and serves K > 1 and the
    /// observed-information pass.)
    /// With `thetaSE` it leaves the abilities alone and accumulates observed
    /// information instead, for the standard errors.
    private func kernelSweep(acc: UnsafeMutablePointer<Double>, thetaSE: UnsafeMutablePointer<Double>? = nil) {
        let n = shard.items
        let beta = options.response == .beta, twoPL = options.model == .twoPL
        let ridge = options.thetaRidge, bound = options.thetaBound, maxStep = options.maxStep
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

    /// The identical-on-every-rank item step: Fisher scoring with a ridge,
    /// the loading constraint, a trust region and the norm bound.
    private func itemStep(_ acc: [Double]) {
        let n = shard.items, k = self.k, p = self.p
        let ridge = options.itemRidge, twoPL = options.model == .twoPL
        var h = [Double](repeating: 0, count: p * p), step = [Double](repeating: 0, count: p)
        var params = [Double](repeating: 0, count: p)
        for j in 0..<n {
            if twoPL {
                for c in 0..<k { params[c] = items.a[j * k + c] }
                params[k] = items.d[j]
            } else {
                params[0] = items.d[j]
            }
            informationBlock(acc, item: j, into: &h)
            for c in 0..<p { step[c] = acc[c * n + j] - ridge * params[c] }
            // Lower-triangular loadings for K > 1: item j < K−1 does not load on dimensions c > j.
            if twoPL && k > 1 && j < k - 1 {
                for c in (j + 1)..<k {
                    for c2 in 0..<p { h[c * p + c2] = 0; h[c2 * p + c] = 0 }
                    h[c * p + c] = 1; step[c] = 0
                }
            }
            let ok = h.withUnsafeMutableBufferPointer { SmallLinearAlgebra.cholesky($0.baseAddress!, p) }
            guard ok else { continue }
            h.withUnsafeBufferPointer { l in step.withUnsafeMutableBufferPointer { SmallLinearAlgebra.choleskySolve(l.baseAddress!, p, $0.baseAddress!) } }
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
    }

    /// Item j's information block from the accumulated slots, as a full
    /// symmetric p × p matrix, with the item ridge on the diagonal: the
    /// curvature of the penalised objective, for the step and for the SEs.
    private func informationBlock(_ acc: [Double], item j: Int, into h: inout [Double]) {
        let n = shard.items, p = self.p
        var idx = p
        for c in 0..<p {
            for c2 in 0...c {
                let v = acc[idx * n + j]
                h[c * p + c2] = v; h[c2 * p + c] = v; idx += 1
            }
            h[c * p + c] += options.itemRidge
        }
    }

    /// Beta precision: one Fisher-scoring step on log φ per benchmark, from
    /// the per-item derivative slots summed over the benchmark's items.
    private func phiStep(_ acc: [Double]) {
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
    private func standardise(sums: [Double]) {
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

    // MARK: - Standard errors

    /// Conditional standard errors from the inverse observed-information
    /// blocks of the penalised objective (the ridge included): each ability
    /// given the items, each item given the abilities.
    public func standardErrors() -> (thetaSE: [Double], aSE: [Double], dSE: [Double]) {
        let n = shard.items, k = self.k, p = self.p
        var thetaSE = [Double](repeating: .nan, count: shard.rows * k)
        var acc = [Double](repeating: 0, count: layout.count)
        acc.withUnsafeMutableBufferPointer { accBuf in
            thetaSE.withUnsafeMutableBufferPointer { se in
                if k == 1 && options.vectorKernels {
                    kernelSweep(acc: accBuf.baseAddress!, thetaSE: se.baseAddress!)
                } else if options.response == .beta {
                    sweep(BetaLikelihood.self, acc: accBuf.baseAddress!, updateTheta: false, observedInformation: true, thetaSE: se.baseAddress!)
                } else {
                    sweep(BinomialLikelihood.self, acc: accBuf.baseAddress!, updateTheta: false, observedInformation: true, thetaSE: se.baseAddress!)
                }
            }
        }
        comm.allreduceSum(&acc)
        var aSE = [Double](repeating: .nan, count: n * k), dSE = [Double](repeating: .nan, count: n)
        var h = [Double](repeating: 0, count: p * p)
        for j in 0..<n {
            informationBlock(acc, item: j, into: &h)
            let ok = h.withUnsafeMutableBufferPointer { SmallLinearAlgebra.cholesky($0.baseAddress!, p) }
            guard ok else { continue }
            let v = h.withUnsafeBufferPointer { SmallLinearAlgebra.inverseDiagonal($0.baseAddress!, p) }
            if options.model == .twoPL {
                for c in 0..<k { aSE[j * k + c] = v[c].squareRoot() }
                dSE[j] = v[k].squareRoot()
            } else {
                dSE[j] = v[0].squareRoot()
                aSE[j] = 0
            }
        }
        return (thetaSE, aSE, dSE)
    }

    /// Everyone's abilities in global row order, on every rank. O(M·K)
    /// doubles: small even when the matrix is not.
    public func gatherTheta(_ local: [Double]) -> [Double] {
        var all = [Double](repeating: 0, count: totalModels * k)
        for i in local.indices { all[shard.rowStart * k + i] = local[i] }
        comm.allreduceSum(&all)
        return all
    }

    /// Entries moved off exact 0/1 for the Beta likelihood, over all ranks.
    public var clampedCount: Int { clamped }

    /// Free parameters after identification, for AIC/BIC.
    public var parameterCount: Int {
        let n = shard.items
        var count = totalModels * k + n * p
        if options.response == .beta { count += items.benchmarkCount }
        if options.model == .twoPL {
            count -= 2 * k                      // mean and sd of each dimension
            count -= k * (k - 1) / 2            // loading constraint
        } else {
            count -= 1                          // mean of the ability
        }
        return count
    }
}

/// A tiny deterministic sequence for symmetry-breaking starting values.
struct PatternSource {
    var state: UInt64
    init(_ seed: UInt64) { state = seed &* 0x9E37_79B9_7F4A_7C15 &+ 0x1234_5678 }
    /// Uniform on (−1, 1).
    mutating func next() -> Double {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return Double(state >> 11) * 0x1.0p-52 - 1
    }
}
