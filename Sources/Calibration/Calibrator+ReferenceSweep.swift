import MessagePassing
import Foundation
import IRT

/// The plain Swift pass over a shard in Float64: the reference loop (every K,
/// every likelihood, generic over IRT's EntryLikelihood) that the vectorised
/// kernels are tested against, and the path of fits the kernels do not cover.
extension Calibrator {
    /// The pass over this rank's rows. With `updateTheta` it takes each
    /// row's ability step first; it always accumulates the item blocks at
    /// the (new) abilities.
    func sweep<L: EntryLikelihood>(_ likelihood: L.Type, acc: UnsafeMutablePointer<Double>,
                                   updateTheta: Bool, observedInformation: Bool,
                                   thetaSE: UnsafeMutablePointer<Double>?) {
        let view = ParameterView(self)
        defer { theta = view.abilities }
        var logLik = 0.0
        shard.withEntries { y, trials in
            for r in 0..<shard.rows {
                let row = RowView(y: y + r * shard.items, trials: trials.map { $0 + r * shard.items })
                if updateTheta || thetaSE != nil {
                    abilityStep(L.self, row: r, entries: row, view: view, update: updateTheta,
                                observedInformation: observedInformation, thetaSE: thetaSE)
                }
                logLik += addItemTerms(L.self, row: r, entries: row, view: view, acc: acc, observedInformation: observedInformation)
            }
        }
        acc[layout.tail] += logLik
    }

    /// Newton (Fisher scoring; observed information for the SEs) on row r's
    /// ability given the items, with the ridge, trust region and norm bound.
    @inline(__always)
    private func abilityStep<L: EntryLikelihood>(_: L.Type, row r: Int, entries: RowView, view v: ParameterView, update: Bool,
                                                 observedInformation: Bool, thetaSE: UnsafeMutablePointer<Double>?) {
        let k = self.k, n = shard.items
        let bound = options.thetaBound, maxStep = options.maxStep
        let th = v.theta + r * k, gr = v.gradient, h = v.information
        for c in 0..<k { gr[c] = 0 }
        for c in 0..<(k * k) { h[c] = 0 }
        v.forEachObserved(entries, items: n, theta: th) { j, y, eta, b in
            let aj = v.a + j * k
            let s: Double, w: Double
            if observedInformation {
                let e = L.terms(y: y, trials: entries.trials(j), eta: eta, floor: v.g[j], phi: v.phi[b], phiTerms: v.phiTerms[b])
                s = e.score; w = e.observed
            } else {
                (s, w) = L.scoreAndFisher(y: y, trials: entries.trials(j), eta: eta, floor: v.g[j], phi: v.phi[b])
            }
            for c in 0..<k {
                gr[c] += s * aj[c]
                let wa = w * aj[c]
                for c2 in 0...c { h[c * k + c2] += wa * aj[c2] }
            }
        }
        for c in 0..<k {
            let ridge = abilityPrecision(dimension: c)
            gr[c] -= ridge * th[c]
            h[c * k + c] += ridge
            for c2 in 0..<c { h[c2 * k + c] = h[c * k + c2] }
        }
        let ok = SmallLinearAlgebra.cholesky(h, k)
        if let se = thetaSE {
            let variances = ok ? SmallLinearAlgebra.inverseDiagonal(h, k) : [Double](repeating: .nan, count: k)
            for c in 0..<k { se[r * k + c] = variances[c].squareRoot() }
        }
        guard update && ok else { return }
        SmallLinearAlgebra.choleskySolve(h, k, gr)
        var largest = 0.0
        for c in 0..<k { largest = max(largest, abs(gr[c])) }
        let scale = largest > maxStep ? maxStep / largest : 1
        for c in 0..<k { th[c] += scale * gr[c] }
        SmallLinearAlgebra.clampNorm(th, k, radius: bound)
    }

    /// Row r's contributions at its (new) ability to every item's gradient,
    /// information block and precision derivatives; returns its log-likelihood.
    @inline(__always)
    private func addItemTerms<L: EntryLikelihood>(_: L.Type, row r: Int, entries: RowView, view v: ParameterView,
                                                  acc: UnsafeMutablePointer<Double>, observedInformation: Bool) -> Double {
        let n = shard.items, k = self.k, p = self.p, stride = self.stride, tail = layout.tail
        let th = v.theta + r * k, x = v.design, joint = options.response.stepsPrecisionJointly
        for c in 0..<k { acc[tail + 1 + c] += th[c]; acc[tail + 1 + k + c] += th[c] * th[c] }
        // The item's design vector: (θ, 1) for 2PL, (1) for 1PL.
        if options.model == .twoPL { for c in 0..<k { x[c] = th[c] } }
        var logLik = 0.0
        v.forEachObserved(entries, items: n, theta: th) { j, y, eta, b in
            let e = L.terms(y: y, trials: entries.trials(j), eta: eta, floor: v.g[j], phi: v.phi[b], phiTerms: v.phiTerms[b])
            logLik += e.logLikelihood
            let w = observedInformation ? e.observed : e.fisher
            let slot = acc + j        // slot q of item j lives at q·n + j
            var idx = p
            for c in 0..<p {
                slot[c * n] += e.score * x[c]
                let wx = w * x[c]
                for c2 in 0...c { slot[idx * n] += wx * x[c2]; idx += 1 }
            }
            slot[stride * n] += e.dPhi
            slot[(stride + 1) * n] += e.d2Phi
            if joint { for c in 0..<p { slot[(stride + 2 + c) * n] += e.crossPhi * x[c] } }
        }
        return logLik
    }
}

/// One row of responses (and trial counts) of the shard.
struct RowView {
    let y: UnsafePointer<Float>
    let trialCounts: UnsafePointer<Float>?
    init(y: UnsafePointer<Float>, trials: UnsafePointer<Float>?) { self.y = y; trialCounts = trials }
    @inline(__always) func trials(_ j: Int) -> Double { trialCounts.map { Double($0[j]) } ?? 1 }
}

/// Stable Float64 pointers to what the reference pass reads and writes: the
/// item parameters and abilities copied in once per pass (O(N·K + M·K)), the
/// abilities copied back out, and the pass's small scratch vectors.
final class ParameterView {
    let a, d, g, phi: UnsafeMutablePointer<Double>
    let benchmark: UnsafeMutablePointer<Int>
    let phiTerms: UnsafeMutablePointer<GammaTerms>
    let theta: UnsafeMutablePointer<Double>
    /// Ability gradient (K), information (K × K), item design vector (p).
    let gradient, information, design: UnsafeMutablePointer<Double>
    /// K.
    let dims: Int
    private let thetaCount: Int

    init(_ c: Calibrator) {
        func copy<T>(_ x: [T]) -> UnsafeMutablePointer<T> {
            let p = UnsafeMutablePointer<T>.allocate(capacity: max(x.count, 1))
            p.initialize(from: x, count: x.count)
            return p
        }
        a = copy(c.items.a); d = copy(c.items.d); g = copy(c.items.g); phi = copy(c.items.phi)
        benchmark = copy(c.items.benchmarkOfItem.map { Int($0) })
        phiTerms = copy(c.items.phi.map { GammaTerms($0) })
        theta = copy(c.theta)
        let k = c.options.dims, p = c.options.itemParameterCount
        gradient = copy([Double](repeating: 0, count: k))
        information = copy([Double](repeating: 0, count: k * k))
        design = copy([Double](repeating: 1, count: p))
        thetaCount = c.theta.count
        dims = k
    }

    var abilities: [Double] { Array(UnsafeBufferPointer(start: theta, count: thetaCount)) }

    /// The reference pass's inner loop over one row: `body(j, y, η, b)` for
    /// every observed entry j, with η = a_j·θ + d_j at the ability `th` [K]
    /// and b the item's benchmark.
    @inline(__always)
    func forEachObserved(_ entries: RowView, items n: Int, theta th: UnsafeMutablePointer<Double>,
                         _ body: (_ j: Int, _ y: Double, _ eta: Double, _ benchmark: Int) -> Void) {
        for j in 0..<n {
            let yj = entries.y[j]
            if yj.isNaN { continue }
            let aj = a + j * dims
            var eta = d[j]
            for c in 0..<dims { eta += aj[c] * th[c] }
            body(j, Double(yj), eta, benchmark[j])
        }
    }

    deinit {
        for p in [a, d, g, phi, theta, gradient, information, design] { p.deallocate() }
        benchmark.deallocate()
        phiTerms.deallocate()
    }
}
