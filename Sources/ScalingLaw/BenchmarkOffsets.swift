import Foundation
import IRT
import Store

/// Family × benchmark offsets: what a family is better or worse at, on one
/// benchmark, than its abilities say.
///
/// Why: a K-dimensional ability shared by every benchmark cannot express
/// that one family is strong at maths and weak at instruction following,
/// which a per-benchmark family intercept (the family + FLOPs baseline)
/// expresses directly. The offsets add exactly that structure to the law,
/// as random effects, so a family seen with one small model is shrunk
/// toward no offset and a family never seen gets none:
///
///     η_mj = a_j·θ_m + d_j + μ_b + δ_{f(m), b} + ε_mb,   j ∈ benchmark b,
///     δ_fb ~ N(0, τ_b²),   ε_mb ~ N(0, σ_b²).
///
/// For every training model m and benchmark b the working response is the
/// shift s_mb of the linear predictor that makes the model's fitted
/// response curve reproduce its observed mean score on the benchmark's
/// items it was scored on (`CalibratedItems.scoreShift`). Per benchmark the
/// shifts are a one-way random-effects model in the families
/// (`LinearMixedModel`, τ_b² and σ_b² by REML), whose BLUPs are δ̂_fb and
/// whose σ̂² C⁻¹ gives the estimation error of μ̂_b + δ̂_fb. A forecast then
/// adds μ̂_b + δ̂_fb to the linear predictor of the benchmark's items and
/// draws, per benchmark, the estimation error (τ_b² for a new family) and
/// the model's own benchmark-specific scatter σ_b², which replaces the
/// response noise of the likelihood: the observed shifts already carry the
/// sampling noise of a finite benchmark.
public struct BenchmarkOffsets: Sendable {
    /// Benchmarks, in the order of the bank the offsets were fitted with.
    public var benchmarks: [String]
    /// Families seen (the law's families: `ModelCovariates.lawFamily`).
    public var families: [String]
    /// μ̂_b [B].
    public var intercept: [Double]
    /// μ̂_b + δ̂_fb [F × B] row-major; NaN where the family has no model scored on b.
    public var effect: [Double]
    /// Variance of the estimation error of `effect` [F × B] (NaN as above).
    public var effectVariance: [Double]
    /// Variance of μ̂_b [B] (for a family never seen on b).
    public var interceptVariance: [Double]
    /// τ_b² [B]: the spread of the family offsets.
    public var familyVariance: [Double]
    /// σ_b² [B]: a model's scatter around its family's offset.
    public var residualVariance: [Double]

    /// Shifts are clamped to ± this: a score at the floor or the ceiling
    /// says only that the shift is large.
    public static let maxShift = 8.0

    /// The offset of a family on benchmark b: (mean, variance of its
    /// estimation error plus, for a family never seen, τ_b²).
    public func offset(family: String?, benchmark b: Int) -> (mean: Double, variance: Double) {
        if let family, let f = families.firstIndex(of: family), effect[f * benchmarks.count + b].isFinite {
            return (effect[f * benchmarks.count + b], effectVariance[f * benchmarks.count + b])
        }
        return (intercept[b], interceptVariance[b] + familyVariance[b])
    }

    /// Fits the offsets.
    /// - Parameters:
    ///   - shifts: [models × B] row-major working shifts s_mb, NaN where a
    ///     model has no response on b.
    ///   - modelFamilies: the law family of every row.
    ///   - abilityDims: K of the abilities the shifts were taken at. Those
    ///     abilities were fitted to the same responses, which pulls the
    ///     shifts toward zero: with B benchmarks and K dimensions a row keeps
    ///     about B − K of its B degrees of freedom, so the scatter σ_b² is
    ///     scaled by B/(B − K), as a residual variance is divided by n − p.
    public static func fit(shifts: [Double], modelFamilies: [String], benchmarks: [String],
                           abilityDims: Int = 0) throws -> BenchmarkOffsets {
        let bCount = benchmarks.count, n = modelFamilies.count
        precondition(shifts.count == n * bCount)
        var families: [String] = [], index: [String: Int] = [:]
        for f in modelFamilies where index[f] == nil { index[f] = families.count; families.append(f) }
        let fCount = families.count
        var out = BenchmarkOffsets(benchmarks: benchmarks, families: families,
                                   intercept: [Double](repeating: 0, count: bCount),
                                   effect: [Double](repeating: .nan, count: fCount * bCount),
                                   effectVariance: [Double](repeating: .nan, count: fCount * bCount),
                                   interceptVariance: [Double](repeating: 0, count: bCount),
                                   familyVariance: [Double](repeating: 0, count: bCount),
                                   residualVariance: [Double](repeating: 0, count: bCount))
        for b in 0..<bCount {
            let rows = (0..<n).filter { shifts[$0 * bCount + b].isFinite }
            guard rows.count >= 3 else { continue }
            // Compact the families present on this benchmark.
            var local: [Int] = [], localIndex: [Int: Int] = [:]
            let group = rows.map { m -> Int in
                let f = index[modelFamilies[m]]!
                if let g = localIndex[f] { return g }
                localIndex[f] = local.count; local.append(f); return local.count - 1
            }
            let y = rows.map { shifts[$0 * bCount + b] }
            let model = try LinearMixedModel.fit(y: y, x: [Double](repeating: 1, count: rows.count), columns: 1,
                                                 group: group, groups: local.count, mode: .random)
            let p = 1, size = p + local.count
            out.intercept[b] = model.coefficients[0]
            out.interceptVariance[b] = model.jointCovariance[0]
            out.familyVariance[b] = model.groupVariance
            let inflation = bCount > abilityDims + 1 ? Double(bCount) / Double(bCount - abilityDims) : 1
            out.residualVariance[b] = model.residualVariance * inflation
            for (g, f) in local.enumerated() {
                let w = p + g
                out.effect[f * bCount + b] = model.coefficients[0] + model.groupEffects[g]
                // Var(μ̂ − μ + û − u) = C00 + 2 C0w + Cww.
                let c = model.jointCovariance
                out.effectVariance[f * bCount + b] = max(c[0] + 2 * c[w] + c[w * size + w], 0)
            }
        }
        return out
    }

    /// The working shifts of fitted rows: for each row and benchmark, the
    /// shift of the linear predictor at the row's ability that reproduces
    /// its mean observed score on the benchmark's items it was scored on.
    /// - Parameters:
    ///   - responses: [rows × N] as stored (NaN missing).
    ///   - theta: [rows × K] fitted abilities.
    public static func shifts(bank: CalibratedItems, responses: [Float], theta: [Double]) -> [Double] {
        let n = bank.count, k = bank.dims, bCount = bank.benchmarkCount
        let rows = theta.count / max(k, 1)
        var out = [Double](repeating: .nan, count: rows * bCount)
        var observed = [[Int]](repeating: [], count: bCount)
        for r in 0..<rows {
            for b in 0..<bCount { observed[b].removeAll(keepingCapacity: true) }
            var sum = [Double](repeating: 0, count: bCount)
            for j in 0..<n where !responses[r * n + j].isNaN {
                observed[bank.benchmarkOfItem[j]].append(j)
                sum[bank.benchmarkOfItem[j]] += Double(responses[r * n + j])
            }
            let t = Array(theta[(r * k)..<((r + 1) * k)])
            for b in 0..<bCount where !observed[b].isEmpty {
                out[r * bCount + b] = bank.scoreShift(items: observed[b], theta: t, score: sum[b] / Double(observed[b].count))
            }
        }
        return out
    }
}

extension BenchmarkOffsets {
    /// The working shifts of a fit's models from its response file (read
    /// block by block, `CalibratedItems.forEachFitRow`), [models × B] in the
    /// fit's model order; NaN for models the file does not hold.
    public static func shifts(bank: CalibratedItems, responseFile path: String, modelNames: [String], theta: [Double]) throws -> [Double] {
        let k = bank.dims, bCount = bank.benchmarkCount
        var out = [Double](repeating: .nan, count: modelNames.count * bCount)
        try bank.forEachFitRow(responseFile: path, modelNames: modelNames) { m, row, _ in
            let s = shifts(bank: bank, responses: row, theta: Array(theta[(m * k)..<((m + 1) * k)]))
            for b in 0..<bCount { out[m * bCount + b] = s[b] }
        }
        return out
    }

    /// The offsets datasets of a law file: `/offsets/benchmark` [B],
    /// `/offsets/family` [F], `/offsets/effect` and `/offsets/effect_variance`
    /// [F, B], and [B] each of `intercept`, `intercept_variance`,
    /// `family_variance`, `residual_variance`.
    func write(to f: H5File) throws {
        let fCount = families.count, bCount = benchmarks.count
        try f.write("/offsets/benchmark", strings: benchmarks)
        try f.write("/offsets/family", strings: families)
        try f.write("/offsets/effect", doubles: effect, shape: [fCount, bCount])
        try f.write("/offsets/effect_variance", doubles: effectVariance, shape: [fCount, bCount])
        try f.write("/offsets/intercept", doubles: intercept)
        try f.write("/offsets/intercept_variance", doubles: interceptVariance)
        try f.write("/offsets/family_variance", doubles: familyVariance)
        try f.write("/offsets/residual_variance", doubles: residualVariance)
    }

    /// Reads what `write(to:)` wrote, checking every shape; nil when the law has no offsets.
    static func read(_ f: H5File, path: String) throws -> BenchmarkOffsets? {
        guard f.exists("/offsets/benchmark") else { return nil }
        let benchmarks = try f.readStrings("/offsets/benchmark"), families = try f.readStrings("/offsets/family")
        func doubles(_ field: String, _ count: Int) throws -> [Double] {
            guard f.exists(field) else { throw StoreError(file: path, field: field, message: "missing (the law has /offsets/benchmark)") }
            let v = try f.readDoubles(field)
            guard v.count == count else { throw StoreError(file: path, field: field, message: "expected \(count) values, found \(v.count)") }
            return v
        }
        let b = benchmarks.count, fb = families.count * b
        return BenchmarkOffsets(benchmarks: benchmarks, families: families,
                                intercept: try doubles("/offsets/intercept", b), effect: try doubles("/offsets/effect", fb),
                                effectVariance: try doubles("/offsets/effect_variance", fb),
                                interceptVariance: try doubles("/offsets/intercept_variance", b),
                                familyVariance: try doubles("/offsets/family_variance", b),
                                residualVariance: try doubles("/offsets/residual_variance", b))
    }
}

extension CalibratedItems {
    /// Mean of P_j(η_j + shift) over `items`, η_j = a_j·θ + d_j given in `eta`,
    /// and its derivative in the shift.
    func meanProbability(items: [Int], eta: [Double], shift: Double) -> (mean: Double, slope: Double) {
        var mean = 0.0, slope = 0.0
        for (i, j) in items.enumerated() {
            let r = ItemResponse(eta: eta[i] + shift, floor: g[j])
            mean += r.p
            slope += r.slope
        }
        return (mean / Double(items.count), slope / Double(items.count))
    }

    /// The shift s of the linear predictor at θ for which the mean of
    /// P_j(a_j·θ + d_j + s) over `items` equals `score`: Newton steps kept
    /// inside a bracket that bisection shrinks. The score is first moved
    /// 0.5 % inside the reachable range (mean floor, 1), and the shift is
    /// clamped to ± `BenchmarkOffsets.maxShift`.
    public func scoreShift(items: [Int], theta: [Double], score: Double) -> Double {
        let eta = items.map { linearPredictor($0, theta: theta) }
        let floor = items.reduce(0.0) { $0 + g[$1] } / Double(items.count)
        let margin = 0.005 * (1 - floor)
        let target = min(max(score, floor + margin), 1 - margin)
        var lo = -BenchmarkOffsets.maxShift, hi = BenchmarkOffsets.maxShift
        if meanProbability(items: items, eta: eta, shift: lo).mean >= target { return lo }
        if meanProbability(items: items, eta: eta, shift: hi).mean <= target { return hi }
        var s = 0.0
        for _ in 0..<60 {
            let (m, slope) = meanProbability(items: items, eta: eta, shift: s)
            if abs(m - target) < 1e-10 { break }
            if m < target { lo = s } else { hi = s }
            var next = slope > 1e-12 ? s - (m - target) / slope : .nan
            if !(next > lo && next < hi) { next = (lo + hi) / 2 }
            if abs(next - s) < 1e-10 { s = next; break }
            s = next
        }
        return s
    }
}
