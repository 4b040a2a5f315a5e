import Foundation
import IRT
import MessagePassing

/// SQUAREM extrapolation (Varadhan and Roland, 2008) of the alternating
/// iteration, for K > 1.
///
/// Why: with K > 1 and tens of models the further dimensions are weakly
/// determined, and alternating ability and item steps then converge
/// linearly at a rate close to 1 (on zeroeval, K = 3, a model's third ability
/// moved by 2 % less per iteration for a hundred iterations). Treating one
/// iteration as a fixed-point map F, SQUAREM takes two ordinary iterations
/// x1 = F(x0), x2 = F(x1), extrapolates along r = x1 − x0, v = x2 − x1 − r
///
///     x' = x0 − 2α r + α² v,  α = −‖r‖ / ‖v‖ clamped to [−αmax, −1]
///
/// and starts the next ordinary iteration from x' (α = −1 gives x' = x2, no
/// extrapolation). The state x is every ability, loading, intercept and
/// log φ, on the identified scale (x' is re-identified before its iteration).
/// The cycle spans three iterations, each one pass over the matrix; checkpoint
/// and signal boundaries fall between cycles only, so a resumed fit takes
/// exactly the uninterrupted fit's steps.
struct ExtrapolationCycle {
    /// x0 and x1 of the cycle in progress (this rank's abilities, the items).
    var theta: [[Double]] = []
    var a: [[Double]] = []
    var d: [[Double]] = []
    var logPhi: [[Double]] = []

    /// Longest extrapolation, in multiples of the ordinary step.
    static let maximumStep = 16.0
}

extension Calibrator {
    /// Whether this fit extrapolates: 2PL with K > 1 under principal axes
    /// (1PL, K = 1 and anchor-item fits converge in tens of iterations
    /// without it, and keep exactly their old steps).
    var extrapolates: Bool {
        options.model == .twoPL && k > 1 && rotation == .principalAxes
    }

    /// Position of the next iteration in its cycle: 0 takes x1 = F(x0),
    /// 1 takes x2 = F(x1), 2 extrapolates and iterates from x'.
    var cyclePhase: Int { history.count % 3 }

    /// Checkpoints and signals are taken only between cycles.
    public var atCycleBoundary: Bool { !extrapolates || cyclePhase == 0 }

    /// Before an iteration: remember x0 or x1, or replace the state by x'.
    func prepareIteration() {
        guard extrapolates else { return }
        switch cyclePhase {
        case 0:
            cycle = ExtrapolationCycle()
            rememberState()
        case 1:
            if cycle.theta.count == 1 { rememberState() } else { cycle = ExtrapolationCycle() }
        default:
            if cycle.theta.count == 2 { extrapolate() }
            cycle = ExtrapolationCycle()
        }
    }

    private func rememberState() {
        cycle.theta.append(theta)
        cycle.a.append(items.a)
        cycle.d.append(items.d)
        cycle.logPhi.append(items.phi.map { log($0) })
    }

    /// x' from x0, x1 (remembered) and x2 (the current state).
    private func extrapolate() {
        let logPhi2 = items.phi.map { log($0) }
        var sums = [0.0, 0.0]                       // ‖r‖², ‖v‖²
        func add(_ x0: [Double], _ x1: [Double], _ x2: [Double]) {
            for i in x0.indices {
                let r = x1[i] - x0[i], v = x2[i] - x1[i] - r
                sums[0] += r * r; sums[1] += v * v
            }
        }
        add(cycle.theta[0], cycle.theta[1], theta)
        comm.allreduceSum(&sums)                    // the abilities are split over ranks
        add(cycle.a[0], cycle.a[1], items.a)
        add(cycle.d[0], cycle.d[1], items.d)
        add(cycle.logPhi[0], cycle.logPhi[1], logPhi2)
        guard sums[1] > 0, sums[0].isFinite, sums[1].isFinite else { return }
        let alpha = min(max(-(sums[0] / sums[1]).squareRoot(), -ExtrapolationCycle.maximumStep), -1)
        guard alpha < -1 else { return }
        func point(_ x0: [Double], _ x1: [Double], _ x2: inout [Double]) {
            for i in x0.indices {
                let r = x1[i] - x0[i], v = x2[i] - x1[i] - r
                x2[i] = x0[i] - 2 * alpha * r + alpha * alpha * v
            }
        }
        point(cycle.theta[0], cycle.theta[1], &theta)
        point(cycle.a[0], cycle.a[1], &items.a)
        point(cycle.d[0], cycle.d[1], &items.d)
        var logPhi = logPhi2
        point(cycle.logPhi[0], cycle.logPhi[1], &logPhi)
        for b in items.phi.indices { items.phi[b] = min(max(exp(logPhi[b]), 1e-2), 1e6) }
        enforceBounds()
        var moments = [Double](repeating: 0, count: 2 * k)
        for r in 0..<shard.rows {
            for c in 0..<k { moments[c] += theta[r * k + c]; moments[k + c] += theta[r * k + c] * theta[r * k + c] }
        }
        comm.allreduceSum(&moments)
        standardise(sums: moments)
    }

    /// The norm bounds of the ability and item steps, applied to x'.
    private func enforceBounds() {
        let k = self.k
        theta.withUnsafeMutableBufferPointer { t in
            for r in 0..<shard.rows { SmallLinearAlgebra.clampNorm(t.baseAddress! + r * k, k, radius: options.thetaBound) }
        }
        var params = [Double](repeating: 0, count: p)
        for j in 0..<shard.items {
            itemParameters(j, into: &params)
            params.withUnsafeMutableBufferPointer { SmallLinearAlgebra.clampNorm($0.baseAddress!, p, radius: options.itemBound) }
            setItemParameters(j, from: params)
        }
    }
}
