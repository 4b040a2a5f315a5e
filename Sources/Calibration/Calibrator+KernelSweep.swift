import CKernels
import Distributed
import Foundation
import IRT

/// The vectorised pass through the C kernels (Sources/CKernels): every
/// likelihood, 1PL/2PL, K ≤ 4, floors and missing entries; Float32 per
/// entry, Float64 sums. `sweep` (the Swift reference loop) computes the same
/// and is what the tests hold it to.
extension Calibrator {
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
