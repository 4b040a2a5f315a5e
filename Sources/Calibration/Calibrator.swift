import CKernels
import MessagePassing
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
    public internal(set) var shard: Shard
    /// This rank's abilities, [rows × K].
    public internal(set) var theta: [Double]
    public internal(set) var items: ItemParameters
    public internal(set) var history: [Double] = []
    /// The item priors (empirical Bayes: re-estimated every iteration).
    public internal(set) var prior: ItemPrior
    /// Wall time spent in the iterations' big allreduce (waiting included):
    /// the communication share of the scaling study.
    public internal(set) var allreduceSeconds = 0.0

    let k: Int
    let p: Int         // free parameters per item
    let stride: Int    // gradient + packed information per item
    /// The allreduced buffer, structure-of-arrays so the kernels stream it:
    /// slot q of item j at q·N + j, where slots 0..<p are the gradient,
    /// p..<stride the packed lower triangle of the information block, then
    /// dℓ/dφ and d²ℓ/dφ², then (the Beta) the p cross
    /// informations −d²ℓ/dφ dx_c; after the slots, the log-likelihood, Σθ_c
    /// and Σθ_c².
    let layout: Layout

    struct Layout {
        let tail: Int
        let count: Int
        init(items n: Int, stride: Int, crossSlots: Int, dims k: Int) {
            tail = (stride + 2 + crossSlots) * n
            count = tail + 1 + 2 * k
        }
    }
    private let observations: Int
    private let clamped: Int
    /// How K > 1 removes the rotation (Calibrator+Identification.swift).
    public let rotation: RotationIdentification
    /// The SQUAREM cycle in progress (K > 1; Calibrator+Acceleration.swift).
    var cycle = ExtrapolationCycle()
    /// The vectorised pass's buffers, allocated on first use, once per fit.
    lazy var kernelWorkspace = KernelWorkspace(shard: shard, dims: k)

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
        layout = Layout(items: n, stride: stride, crossSlots: options.response.stepsPrecisionJointly ? p : 0, dims: k)
        items = ItemParameters(dims: k, a: [Double](repeating: 1, count: n * k), d: [Double](repeating: 0, count: n),
                               g: floors, phi: [Double](repeating: 10, count: benchmarkCount), benchmarkOfItem: benchmarkOfItem)
        theta = [Double](repeating: 0, count: shard.rows * k)
        prior = ItemPrior(mode: options.prior, benchmarkOfItem: benchmarkOfItem, benchmarkCount: benchmarkCount,
                          dims: k, twoPL: options.model == .twoPL, ridge: options.itemRidge)
        rotation = Self.rotationIdentification(prior: prior)
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
            converged = isConverged(relativeChange: rel, maxChange: maxChange)
            progress(IterationReport(iteration: iteration, logLikelihood: ll, relativeChange: rel,
                                     maxParameterChange: maxChange, seconds: seconds,
                                     entriesPerSecond: Double(observations) / max(seconds, 1e-9),
                                     eta: estimateRemaining(rates, secondsPerIteration: seconds)))
            previous = ll
            if converged { break }
            if atCycleBoundary, try boundary(iteration) { interrupted = true; break }
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
        if let saved = checkpoint.header.prior { prior = saved }
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
        case .betaBinomial: return iterate(BetaBinomialLikelihood.self)
        }
    }

    /// The C kernels cover every likelihood for K ≤ 4 (Calibrator+KernelSweep.swift);
    /// larger K, fits with `vectorKernels` off, and the last iterations of a
    /// fit at the Float32 noise floor that asks for finer parameter steps than
    /// Float32 resolves run through the Swift loop.
    public var usesKernels: Bool { kernelsEligible && !finishesInFloat64 }

    /// Converged: the relative log-likelihood change below `--tolerance` and
    /// the largest parameter step below `--parameter-tolerance`. A Float32 fit
    /// at its noise floor cannot show a change below the floor
    /// (`kernelResolution`), so there a change within the floor meets the first
    /// condition and the parameter steps, measured in Float64, decide.
    /// `--tolerance 0` asks never to stop on the log-likelihood, at the floor too.
    func isConverged(relativeChange rel: Double, maxChange: Double) -> Bool {
        guard maxChange < options.parameterTolerance else { return false }
        if rel < options.tolerance { return true }
        return options.tolerance > 0 && usesKernels && rel < Self.kernelResolution && kernelNoiseFloorReached
    }

    private func iterate<L: EntryLikelihood>(_ likelihood: L.Type) -> (logLikelihood: Double, maxChange: Double) {
        prepareIteration()
        var acc = [Double](repeating: 0, count: layout.count)
        let oldTheta = theta
        acc.withUnsafeMutableBufferPointer { accBuf in
            if usesKernels {
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
        if options.response.hasPrecision { count += items.benchmarkCount }
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
