import Foundation
import IRT

/// What can be wrong with a calibrated item.
public enum ItemFlag: String, CaseIterable, Sendable {
    /// a < 0: better models do worse (a wrong answer key, a reversed scale).
    case negativeDiscrimination = "negative_a"
    /// 0 ≤ a < threshold: the item hardly depends on ability (noise, ambiguity).
    case lowDiscrimination = "near_zero_a"
    /// (mean − g)/(1 − g) at or below the threshold: nobody solves it.
    case nobodySolves = "nobody_solves"
    /// …at or above 1 − threshold: everybody solves it.
    case everybodySolves = "everybody_solves"
    /// Standard error of a or d non-finite or far above the benchmark's typical one.
    case largeSE = "large_se"
    /// Responses vary around the model's predictions much more than the
    /// likelihood allows (infit or outfit mean square, significantly).
    case misfit
}

/// Thresholds of the item flags (the `irsl items` options).
public struct DiagnosticThresholds: Sendable, Equatable {
    /// |a| below this is "near zero" (on the standardised ability scale).
    public var minDiscrimination = 0.2
    /// Share of the floor-to-ceiling range within which an item counts as
    /// solved by nobody / everybody.
    public var extreme = 0.01
    /// An SE is large when above `seFactor` × the benchmark's median SE…
    public var seFactor = 4.0
    /// …and above this absolute value.
    public var seFloor = 0.1
    /// Misfit: a mean square above this…
    public var meanSquare = 1.3
    /// …that is also this many standard deviations above its expected value 1.
    public var z = 3.0
    public init() {}
}

/// Infit and outfit of one item against the responses of many models.
///
/// With z = (y − P)/sd(y | θ) the standardised residual of a response:
/// outfit = mean z² (sensitive to surprising responses far from the item's
/// difficulty), infit = Σ(y − P)² / Σ Var(y) (information-weighted, sensitive
/// to misfit near it). Both have expected value 1 under the model; their
/// standard deviations follow from Var(z²) of each response
/// (`ItemInformation.varianceOfSquaredResidual`), so `outfitZ` and `infitZ`
/// say how many standard deviations a mean square is above 1.
public struct ItemFitStatistics: Sendable, Equatable {
    public var observations: Int
    public var meanResponse: Double
    public var infit: Double
    public var outfit: Double
    public var infitZ: Double
    public var outfitZ: Double
}

/// Accumulates the residual sums of every item over response rows, so the
/// response file is streamed once, block by block.
public struct MisfitAccumulator: Sendable {
    public let bank: ItemBank
    var n: [Double], sumY: [Double], sumZ2: [Double], sumR2: [Double], sumVar: [Double]
    var varZ2: [Double], varR2: [Double]

    public init(bank: ItemBank) {
        self.bank = bank
        let zero = [Double](repeating: 0, count: bank.count)
        n = zero; sumY = zero; sumZ2 = zero; sumR2 = zero; sumVar = zero; varZ2 = zero; varR2 = zero
    }

    /// Adds one model's responses (bank order, NaN = missing) at its ability θ (K = 1).
    public mutating func add(responses: ArraySlice<Float>, trials: ArraySlice<Float>?, theta: Double) {
        guard theta.isFinite else { return }
        let bank = self.bank
        accumulate(responses: responses, trials: trials) { bank.probability($0, theta) }
    }

    /// Adds one model's responses at its ability θ [K] (any K).
    public mutating func add(responses: ArraySlice<Float>, trials: ArraySlice<Float>?, ability theta: [Double]) {
        if bank.dims == 1 { return add(responses: responses, trials: trials, theta: theta[0]) }
        guard theta.allSatisfy({ $0.isFinite }) else { return }
        let bank = self.bank
        accumulate(responses: responses, trials: trials) { bank.probability($0, at: theta) }
    }

    mutating func accumulate(responses: ArraySlice<Float>, trials: ArraySlice<Float>?, probability: (Int) -> Double) {
        let base = responses.startIndex, tBase = trials?.startIndex ?? 0
        for j in 0..<bank.count {
            let y = responses[base + j]
            if y.isNaN || !bank.isUsable(j) { continue }
            let t = trials.map { Double($0[tBase + j]) } ?? 1
            var p = probability(j), yy = Double(y)
            if bank.response == .beta {
                // The Beta likelihood is censored at ε and 1 − ε (IRT.BetaLikelihood): it cannot tell
                // 1e-6 from 1e-4, and neither can its residuals. Without this a fitted P of 1e-6
                // against an observed 1e-4 would count as a surprise the fit never saw.
                let lo = BetaLikelihood.lowerCensor, hi = BetaLikelihood.upperCensor
                p = min(max(p, lo), hi); yy = min(max(yy, lo), hi)
            }
            let phi = bank.precision(j)
            let v = max(ItemInformation.variance(p: p, response: bank.response, phi: phi, trials: t), 1e-12)
            let r2 = (yy - p) * (yy - p)
            let vz = ItemInformation.varianceOfSquaredResidual(p: p, response: bank.response, phi: phi, trials: t)
            n[j] += 1; sumY[j] += Double(y)
            sumZ2[j] += r2 / v; sumR2[j] += r2; sumVar[j] += v
            varZ2[j] += vz; varR2[j] += v * v * vz
        }
    }

    public func statistics() -> [ItemFitStatistics] {
        (0..<bank.count).map { j in
            guard n[j] > 0 else {
                return ItemFitStatistics(observations: 0, meanResponse: .nan, infit: .nan, outfit: .nan, infitZ: .nan, outfitZ: .nan)
            }
            let outfit = sumZ2[j] / n[j], infit = sumR2[j] / sumVar[j]
            let outfitSD = varZ2[j].squareRoot() / n[j], infitSD = varR2[j].squareRoot() / sumVar[j]
            return ItemFitStatistics(observations: Int(n[j]), meanResponse: sumY[j] / n[j], infit: infit, outfit: outfit,
                                     infitZ: infitSD > 0 ? (infit - 1) / infitSD : .nan,
                                     outfitZ: outfitSD > 0 ? (outfit - 1) / outfitSD : .nan)
        }
    }
}

/// The diagnosis of one item.
public struct ItemDiagnostic: Sendable {
    public var item: Int
    public var aSE: Double
    public var dSE: Double
    /// Mean response: observed when responses were given, else implied by the
    /// model over the calibrated abilities.
    public var meanResponse: Double
    public var fit: ItemFitStatistics?
    public var flags: [ItemFlag]
}

/// Per-benchmark counts of the flags.
public struct BenchmarkDiagnosis: Sendable {
    public var benchmark: Int
    public var items: Int
    public var flagged: Int
    public var counts: [ItemFlag: Int]
    public var medianInfit: Double
    public var medianOutfit: Double
}

/// Flags the items a benchmark would be better without.
///
/// Why each flag: an item with a ≤ 0 or a ≈ 0 carries no information about
/// ability (or the wrong sign), so it only adds noise to a benchmark score;
/// items nobody or everybody solves are constants that cannot separate
/// models (and whose parameters the fit cannot pin down, hence also large
/// SEs); an SE far above the benchmark's typical one means the estimates
/// cannot be trusted (few responses, or an item at the edge); misfit means
/// the responses do not follow the item response function at all: the
/// item is answered well by some weak models and badly by some strong ones
/// beyond chance, so its parameters summarise it poorly.
public enum ItemDiagnostics {
    public static func diagnose(bank: ItemBank, aSE: [Double], dSE: [Double], fit: [ItemFitStatistics]?,
                                thresholds t: DiagnosticThresholds = DiagnosticThresholds()) -> [ItemDiagnostic] {
        precondition(aSE.count == bank.count && dSE.count == bank.count)
        func median(_ v: [Double]) -> Double {
            let s = v.filter { $0.isFinite }.sorted()
            return s.isEmpty ? .nan : s[s.count / 2]
        }
        let medianA = bank.itemsOfBenchmark.map { median($0.map { aSE[$0] }) }
        let medianD = bank.itemsOfBenchmark.map { median($0.map { dSE[$0] }) }
        let population = bank.populationTheta.isEmpty ? [0.0] : bank.populationTheta
        let abilities = bank.dims == 1 ? [] : bank.populationPoints(limit: 1000)
        return (0..<bank.count).map { j in
            var flags: [ItemFlag] = []
            // K > 1: ‖a‖, negative when the item is reversed (no positive loading).
            let a = bank.dims == 1 ? bank.a[j] : (bank.isReversed(j) ? -1 : 1) * bank.discrimination(j)
            let b = bank.benchmarkOfItem[j]
            if a < 0 { flags.append(.negativeDiscrimination) }
            if abs(a) < t.minDiscrimination { flags.append(.lowDiscrimination) }
            let stats = fit?[j]
            var mean: Double
            if let s = stats, s.observations > 0 {
                mean = s.meanResponse
            } else if bank.isUsable(j) && bank.dims > 1 {
                mean = abilities.reduce(0) { $0 + bank.probability(j, at: $1) } / Double(abilities.count)
            } else if bank.isUsable(j) {
                mean = population.reduce(0) { $0 + bank.probability(j, $1) } / Double(population.count)
            } else {
                mean = .nan
            }
            let g = bank.g[j].isFinite ? bank.g[j] : 0
            let above = (mean - g) / max(1 - g, 1e-9)
            if above <= t.extreme { flags.append(.nobodySolves) }
            if above >= 1 - t.extreme { flags.append(.everybodySolves) }
            func large(_ se: Double, _ typical: Double) -> Bool {
                !se.isFinite || (se > t.seFloor && (!typical.isFinite || se > t.seFactor * typical))
            }
            if large(aSE[j], medianA[b]) || large(dSE[j], medianD[b]) { flags.append(.largeSE) }
            if let s = stats, s.observations > 0,
               (s.outfit > t.meanSquare && s.outfitZ > t.z) || (s.infit > t.meanSquare && s.infitZ > t.z) {
                flags.append(.misfit)
            }
            return ItemDiagnostic(item: j, aSE: aSE[j], dSE: dSE[j], meanResponse: mean, fit: stats, flags: flags)
        }
    }

    /// The standard error of each item's discrimination from `/items/a_se`
    /// [N × K]: a_se itself for K = 1; for K > 1 the delta-method SE of ‖a‖,
    /// √(Σ_c (a_c/‖a‖)² se_c²), which ignores the covariances between an
    /// item's loadings (the fit file does not store them).
    public static func discriminationSE(bank: ItemBank, aSE: [Double]) -> [Double] {
        guard bank.dims > 1 else { return aSE }
        let k = bank.dims
        return (0..<bank.count).map { j in
            let norm = bank.discrimination(j)
            guard aSE.count == bank.count * k, norm > 0 else { return .nan }
            var s = 0.0
            for c in 0..<k { let r = bank.a[j * k + c] / norm; s += r * r * aSE[j * k + c] * aSE[j * k + c] }
            return s.squareRoot()
        }
    }

    public static func summarise(_ diagnostics: [ItemDiagnostic], bank: ItemBank) -> [BenchmarkDiagnosis] {
        (0..<bank.benchmarkCount).map { b in
            let rows = bank.itemsOfBenchmark[b].map { diagnostics[$0] }
            var counts: [ItemFlag: Int] = [:]
            for r in rows { for f in r.flags { counts[f, default: 0] += 1 } }
            func median(_ v: [Double]) -> Double {
                let s = v.filter { $0.isFinite }.sorted()
                return s.isEmpty ? .nan : s[s.count / 2]
            }
            return BenchmarkDiagnosis(benchmark: b, items: rows.count, flagged: rows.filter { !$0.flags.isEmpty }.count,
                                      counts: counts, medianInfit: median(rows.compactMap { $0.fit?.infit }),
                                      medianOutfit: median(rows.compactMap { $0.fit?.outfit }))
        }
    }
}
