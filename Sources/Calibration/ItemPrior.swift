import Foundation

/// How the item parameters are regularised (docs/estimator.md, "The objective").
public enum PriorMode: String, CaseIterable, Sendable, Codable {
    /// Empirical Bayes: normal priors per benchmark whose means and variances
    /// are re-estimated from the data every iteration (the default).
    case empiricalBayes = "eb"
    /// Joint maximum likelihood with only the small fixed ridges of
    /// `FitOptions.itemRidge` / `thetaRidge` (for comparison and recovery tests).
    case none
}

/// Normal priors on the free parameters of every item, one mean and one
/// variance per (prior group, parameter slot). The slots are those of the
/// item step: (a_1 … a_K, d) for 2PL, d alone for 1PL.
///
/// Why: joint ML with tens of models overfits every item (24 binary
/// responses cannot pin down a discrimination), while with thousands of
/// models the data should speak alone. Estimating the prior from the items
/// themselves gives strong shrinkage in the first case and none in the
/// second, with nothing to tune.
///
/// The hyperparameter update is the M-step of an EM iteration in which the
/// item parameters are the latent variables, with their posterior
/// approximated by the Newton step's Gaussian (mean = the new estimate,
/// covariance = the inverse curvature of the penalised objective):
///
///     μ_gc  = mean_{j∈g} x_jc
///     σ²_gc = mean_{j∈g} [(x_jc − μ_gc)² + V_jcc]
///
/// The V term (the "curvature correction") keeps σ² from collapsing to the
/// spread of shrunken point estimates; without it the fixed point is σ² = 0.
public struct ItemPrior: Codable, Equatable, Sendable {
    public var mode: PriorMode
    /// Parameters per item (the slot count of the item step).
    public let slots: Int
    /// Prior group of each item: its benchmark, or the pooled group for
    /// benchmarks with fewer than `minimumGroupSize` items.
    public let group: [Int32]
    public let groupCount: Int
    /// [groupCount × slots]
    public var mean: [Double]
    public var variance: [Double]
    /// Slots whose prior mean is held at 0: the loadings on dimensions 2…K,
    /// whose sign the data cannot fix (rotation), so shrinking them to zero
    /// keeps K > 1 fits well conditioned. Their variance is pooled over the
    /// slots within a group.
    public let zeroMeanSlots: [Bool]
    /// Groups whose prior stays the fixed ridge (mean 0, variance 1/ridge):
    /// every group under `.none`, and a pooled group of fewer than
    /// `minimumGroupSize` items.
    public private(set) var fixedGroups: [Bool] = []
    /// Over-relaxation of each variance's EM step in log σ², and the sign of
    /// its last step: EM creeps (sublinearly) when a variance heads for zero,
    /// as it does for a dimension a benchmark does not use; steps that keep
    /// their direction are lengthened, a reversal resets the factor.
    public var relaxation: [Double]
    public var lastDirection: [Double]

    /// Benchmarks with fewer items than this share one pooled prior: a group
    /// of three items would estimate its variance from three numbers.
    public static let minimumGroupSize = 20
    /// Smallest prior variance: a discrimination sd of 0.01 is already the
    /// Rasch model; zero would make the curvature singular.
    public static let varianceFloor = 1e-4
    /// Longest over-relaxed variance step, in multiples of the EM step.
    public static let maximumRelaxation = 8.0

    /// - Parameters:
    ///   - benchmarkOfItem: each item's benchmark index.
    ///   - dims: K; `twoPL` says whether the slots include the loadings.
    ///   - ridge: the fixed precision used by `mode == .none` (mean 0).
    public init(mode: PriorMode, benchmarkOfItem: [Int32], benchmarkCount: Int, dims: Int, twoPL: Bool, ridge: Double) {
        self.mode = mode
        slots = twoPL ? dims + 1 : 1
        var counts = [Int](repeating: 0, count: max(benchmarkCount, 1))
        for b in benchmarkOfItem { counts[Int(b)] += 1 }
        // Large benchmarks keep their own group; small ones are pooled into one.
        var map = [Int32](repeating: -1, count: counts.count)
        var next: Int32 = 0
        for b in counts.indices where counts[b] >= Self.minimumGroupSize { map[b] = next; next += 1 }
        let pooledCount = counts.filter { $0 < Self.minimumGroupSize }.reduce(0, +)
        let pooledIndex = next
        if pooledCount > 0 { next += 1 }
        group = benchmarkOfItem.map { map[Int($0)] >= 0 ? map[Int($0)] : pooledIndex }
        groupCount = max(Int(next), 1)
        // A pooled group that is itself small (a table of a dozen benchmark
        // scores, each one "item") has nothing to estimate a prior from, and its
        // items are not exchangeable: they keep the fixed ridge.
        fixedGroups = [Bool](repeating: false, count: groupCount)
        if mode == .none { fixedGroups = [Bool](repeating: true, count: groupCount) }
        if pooledCount > 0 && pooledCount < Self.minimumGroupSize { fixedGroups[Int(pooledIndex)] = true }
        var zero = [Bool](repeating: false, count: slots)
        if twoPL { for c in 1..<max(dims, 1) { zero[c] = true } }
        zeroMeanSlots = zero
        mean = [Double](repeating: 0, count: groupCount * slots)
        variance = [Double](repeating: 1 / ridge, count: groupCount * slots)
        relaxation = [Double](repeating: 1, count: groupCount * slots)
        lastDirection = [Double](repeating: 0, count: groupCount * slots)
        if mode == .empiricalBayes {
            // Starting hyperparameters: discriminations near 1, loose intercepts.
            for g in 0..<groupCount where !fixedGroups[g] {
                for c in 0..<slots {
                    let isSlope = twoPL && c < dims
                    mean[g * slots + c] = isSlope && c == 0 ? 1 : 0
                    variance[g * slots + c] = isSlope ? 1 : 4
                }
            }
        }
    }

    /// Prior precision of item j's slot c.
    @inline(__always)
    public func precision(item j: Int, slot c: Int) -> Double { 1 / variance[Int(group[j]) * slots + c] }

    @inline(__always)
    public func mean(item j: Int, slot c: Int) -> Double { mean[Int(group[j]) * slots + c] }

    /// −½ Σ (x − μ)²/σ² − ½ Σ log σ² over every item: the prior's share of the
    /// objective (constants dropped).
    public func logDensity(_ parameters: (Int, Int) -> Double?, items n: Int) -> Double {
        var sum = 0.0
        for j in 0..<n {
            for c in 0..<slots {
                guard let x = parameters(j, c) else { continue }
                let v = variance[Int(group[j]) * slots + c], r = x - mean(item: j, slot: c)
                sum -= 0.5 * (r * r / v + log(v))
            }
        }
        return sum
    }

    /// The EM update of every group's mean and variance from the items' new
    /// values and posterior variances. `value(j, c)` is nil for a slot fixed
    /// by identification (an anchor-item zero loading). No-op for `.none`.
    public mutating func update(items n: Int, value: (Int, Int) -> Double?, posteriorVariance: (Int, Int) -> Double) {
        guard mode == .empiricalBayes else { return }
        var sum = [Double](repeating: 0, count: groupCount * slots), count = sum
        var values = [Double](repeating: .nan, count: n * slots)
        for j in 0..<n {
            let g = Int(group[j])
            for c in 0..<slots {
                guard let x = value(j, c), x.isFinite else { continue }
                values[j * slots + c] = x
                sum[g * slots + c] += x; count[g * slots + c] += 1
            }
        }
        var spread = [Double](repeating: 0, count: groupCount * slots)
        for i in sum.indices where count[i] > 0 && !fixedGroups[i / slots] {
            mean[i] = zeroMeanSlots[i % slots] ? 0 : sum[i] / count[i]
        }
        for j in 0..<n {
            let g = Int(group[j])
            for c in 0..<slots {
                let x = values[j * slots + c]
                guard x.isFinite else { continue }
                let r = x - mean[g * slots + c]
                let v = posteriorVariance(j, c)
                spread[g * slots + c] += r * r + (v.isFinite ? v : 0)
            }
        }
        // The loadings on dimensions 2…K share one variance per group: the
        // prior is then unchanged by rotations among those dimensions, which
        // `Calibrator.rotateToPrincipalAxes` fixes instead.
        for g in 0..<groupCount {
            var pooledSpread = 0.0, pooledCount = 0.0
            for c in 0..<slots where zeroMeanSlots[c] {
                pooledSpread += spread[g * slots + c]; pooledCount += count[g * slots + c]
            }
            for c in 0..<slots where zeroMeanSlots[c] {
                spread[g * slots + c] = pooledSpread; count[g * slots + c] = pooledCount
            }
        }
        for i in sum.indices where count[i] > 0 && !fixedGroups[i / slots] {
            let em = max(spread[i] / count[i], Self.varianceFloor)
            let step = log(em) - log(variance[i])
            let direction: Double = step > 0 ? 1 : (step < 0 ? -1 : 0)
            relaxation[i] = direction != 0 && direction == lastDirection[i] ? min(relaxation[i] * 1.5, Self.maximumRelaxation) : 1
            lastDirection[i] = direction
            variance[i] = min(max(variance[i] * exp(relaxation[i] * step), Self.varianceFloor), 1e4)
        }
    }
}
