import CKernels
import MessagePassing
import Foundation
import IRT

/// The vectorised pass through the C kernels (Sources/CKernels): every
/// likelihood, 1PL/2PL, K ≤ 4, floors and missing entries; Float32 per
/// entry, Float64 sums. `sweep` (the Swift reference loop) computes the same
/// and is what the tests hold it to.
extension Calibrator {
    /// Whether the log-likelihood history shows the Float32 noise floor: a
    /// relative change below 1e-5 followed by a larger one. Float32 terms
    /// resolve a fit to about 1e-6 of its log-likelihood on small matrices
    /// (much better on large ones, where the rounding averages out); a fit asked
    /// for more (a tolerance below that floor) then finishes in Float64 through
    /// the reference loop. The rule reads only the checkpointed history, so
    /// every rank, and a resumed fit, switch at the same iteration.
    var kernelNoiseFloorReached: Bool {
        guard history.count >= 3 else { return false }
        func change(_ i: Int) -> Double { abs(history[i] - history[i - 1]) / max(abs(history[i]), 1e-300) }
        for i in 2..<history.count where change(i - 1) < 1e-5 && change(i) > change(i - 1) { return true }
        return false
    }

    /// The kernels' name for this fit's likelihood (one case per likelihood).
    var kernelLikelihood: irsl_likelihood {
        switch options.response {
        case .beta: return IRSL_BETA
        case .bernoulli, .binomial: return IRSL_BINOMIAL
        case .betaBinomial: return IRSL_BETA_BINOMIAL
        }
    }

    /// One pass: each row's ability step, then its contributions to every
    /// item's accumulators at the new ability. With `thetaSE` the abilities
    /// stay put and the pass accumulates observed information instead, for
    /// the standard errors.
    func kernelSweep(acc: UnsafeMutablePointer<Double>, thetaSE: UnsafeMutablePointer<Double>? = nil) {
        let w = kernelWorkspace
        w.load(items)
        shard.withEntries { y, trials in
            theta.withUnsafeMutableBufferPointer { th in
                var args = irsl_sweep_args()
                args.likelihood = Int32(kernelLikelihood.rawValue)
                args.dims = Int32(k)
                args.two_pl = options.model == .twoPL ? 1 : 0
                args.standard_errors = thetaSE == nil ? 0 : 1
                args.rows = shard.rows
                args.items = shard.items
                args.row_start = shard.rowStart
                args.padded = w.padded
                args.y = y
                args.trials = trials
                args.theta = th.baseAddress
                args.theta_se = thetaSE
                args.a = UnsafePointer(w.a)
                args.d = UnsafePointer(w.d)
                args.g = UnsafePointer(w.g)
                args.phi = UnsafePointer(w.phi)
                args.lg_phi = UnsafePointer(w.logGammaPhi)
                args.dg_phi = UnsafePointer(w.digammaPhi)
                args.tg_phi = UnsafePointer(w.trigammaPhi)
                args.block = w.block.baseAddress
                args.ridge = options.thetaPriorPrecision
                args.bound = options.thetaBound
                args.max_step = options.maxStep
                args.acc = acc
                args.stride = stride
                args.tail = layout.tail
                irsl_sweep(&args)
            }
        }
    }
}
