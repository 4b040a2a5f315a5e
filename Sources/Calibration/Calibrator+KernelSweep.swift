import CKernels
import MessagePassing
import Foundation
import IRT

/// The vectorised pass through the C kernels (Sources/CKernels): every
/// likelihood, 1PL/2PL, K ≤ 4, floors and missing entries; Float32 per
/// entry, Float64 sums. `sweep` (the Swift reference loop) computes the same
/// and is what the tests hold it to.
extension Calibrator {
    /// Relative log-likelihood change that the Float32 terms resolve: below it
    /// the reported log-likelihood moves by rounding (up to ~2e-6 of it, seen
    /// on 2,000 × 10,000 Beta fits, whose Float64 log-likelihood rises
    /// monotonically there), not by the fit.
    static let kernelResolution = 1e-5

    /// Largest parameter step that the Float32 fixed point is known to match
    /// the Float64 one at (KernelTests: 1e-5 relative): a `--parameter-tolerance`
    /// below it cannot be met in Float32, and such a fit finishes in Float64.
    static let kernelParameterResolution = 1e-4

    /// Whether the log-likelihood history shows the Float32 noise floor: a
    /// relative change below `kernelResolution` followed by a larger one. The
    /// rule reads only the checkpointed history, so every rank, and a resumed
    /// fit, agree on it.
    public var kernelNoiseFloorReached: Bool {
        guard history.count >= 3 else { return false }
        func change(_ i: Int) -> Double { abs(history[i] - history[i - 1]) / max(abs(history[i]), 1e-300) }
        for i in 2..<history.count where change(i - 1) < Self.kernelResolution && change(i) > change(i - 1) { return true }
        return false
    }

    /// Whether this fit's iterations run through the kernels and the Float32
    /// floor stands in for `--tolerance` (see `converged(relativeChange:maxChange:)`).
    var kernelsEligible: Bool { options.vectorKernels && KernelWorkspace.dimensionRange.contains(k) }

    /// A fit at the Float32 floor whose parameter tolerance the Float32 fixed
    /// point resolves keeps running in Float32: its log-likelihood cannot show
    /// a change below the floor, so convergence is judged by the parameters
    /// (and a change within the floor). One asking for finer parameter steps
    /// finishes in Float64 through the reference loop.
    var finishesInFloat64: Bool {
        options.parameterTolerance < Self.kernelParameterResolution && kernelNoiseFloorReached
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
                args.dg_phi = UnsafePointer(w.digammaPhi)
                args.tg_phi = UnsafePointer(w.trigammaPhi)
                args.block = w.block.baseAddress
                args.ridge = abilityPrecision(dimension: 0)
                args.ridge_rest = abilityPrecision(dimension: 1)
                args.bound = options.thetaBound
                args.max_step = options.maxStep
                args.acc = acc
                args.stride = stride
                args.tail = layout.tail
                irsl_sweep(&args)
            }
        }
        if options.response.hasPrecision { acc[layout.tail] += w.logGammaConstant(items) }
    }
}
