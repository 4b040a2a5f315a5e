import Foundation
import IRT

/// How `irsl select` chooses each benchmark's items.
public enum SelectionMethod: String, CaseIterable, Sendable {
    /// Greedy maximisation of Fisher information integrated over the
    /// ability distribution, with diminishing returns (see `ItemSelector`).
    case fisher
    /// One item drawn at random from each of N equal-count difficulty strata.
    case stratified
    /// N items drawn uniformly at random: the baseline.
    case random
}

/// One chosen item and its Fisher information integrated over the ability
/// distribution of interest (∫ I_j(θ) w(θ) dθ).
public struct SelectedItem: Sendable, Equatable {
    public var item: Int
    public var information: Double
}

/// Chooses a small subset of each benchmark's items from which the full
/// benchmark score of a new model can be predicted.
///
/// **fisher.** What a subset is for: measuring the ability of a new model
/// (the quantity scaling laws are fitted to, and from which every full
/// benchmark score is predicted). After a subset with test information
/// I(θ) is given, the ability's posterior variance is about 1/(τ + I(θ)),
/// τ the prior precision. The subset is grown greedily, each step adding
/// the item that most reduces the expected posterior variance over the
/// ability distribution of interest (quadrature points θ_q, weights w_q):
///
///     Σ_q w_q / (τ + I(θ_q))
///
/// The first item is therefore the one of largest Fisher information
/// integrated over the distribution (∫ I_j(θ) w(θ) dθ when τ dominates),
/// exactly "maximise integrated information"; every later item is worth
/// less where the subset is already informative (its gain at θ_q is
/// w_q I_j(θ_q) / ((τ + I)(τ + I + I_j)), falling as 1/I²). That
/// diminishing return is the **diversity rule**: once the abilities around
/// the population's centre are well measured, the most discriminating item
/// there adds less than a weaker one at difficulties nobody covers yet, so
/// the subset spreads over the difficulties the population spans instead of
/// stacking N near-copies of the best central item (what "the N items of
/// largest integrated information" does). Items with a ≤ 0 or non-finite
/// parameters are never chosen. Each benchmark's subset is built on its
/// own, so each is a complete test of the ability.
///
/// **stratified.** The benchmark's informative items sorted by difficulty
/// b = −d/a, cut into N strata of equal count, one random item per stratum:
/// covers the difficulty range without using discrimination.
///
/// **random.** N of the benchmark's items uniformly at random.
///
/// **K > 1.** fisher becomes D-optimal (`ItemSelection+DOptimal.swift`);
/// stratified uses the multidimensional difficulty −d/‖a‖; random is as is.
/// `population` is K = 1's; a K > 1 bank averages over its population
/// abilities instead (`ItemBank.populationPoints`).
public struct ItemSelector: Sendable {
    public let bank: ItemBank
    public let population: AbilityDistribution
    /// τ = 1/σ² of the prior the subset will be scored with.
    public let priorPrecision: Double

    public init(bank: ItemBank, population: AbilityDistribution, prior: AbilityPrior? = nil) {
        self.bank = bank
        self.population = population
        priorPrecision = (prior ?? bank.prior).precision
    }

    /// ∫ I_j(θ) w(θ) dθ over the ability distribution.
    /// K > 1: the average trace of the information matrix (`multidimensionalInformation`).
    public func integratedInformation(_ j: Int) -> Double {
        guard bank.isUsable(j) else { return .nan }
        if bank.dims > 1 { return multidimensionalInformation(j) }
        var total = 0.0
        for (x, w) in zip(population.points, population.weights) { total += w * bank.information(j, x) }
        return total
    }

    /// Each benchmark's `perBenchmark` items (all of its eligible items when
    /// it has fewer), benchmarks in bank order, items in the order chosen.
    public func select(perBenchmark n: Int, method: SelectionMethod, seed: UInt64 = 1) -> [SelectedItem] {
        var out: [SelectedItem] = []
        for b in 0..<bank.benchmarkCount {
            let chosen: [Int]
            switch method {
            case .fisher: chosen = bank.dims == 1 ? greedy(benchmark: b, count: n) : dOptimal(benchmark: b, count: n)
            case .stratified: chosen = stratified(benchmark: b, count: n, seed: seed)
            case .random: chosen = random(benchmark: b, count: n, seed: seed)
            }
            out += chosen.map { SelectedItem(item: $0, information: integratedInformation($0)) }
        }
        return out
    }

    func greedy(benchmark b: Int, count n: Int) -> [Int] {
        let eligible = bank.itemsOfBenchmark[b].filter { bank.isInformative($0) }
        let q = population.points.count
        guard n > 0, !eligible.isEmpty else { return [] }
        let c = population.weights
        var info = [Double](repeating: 0, count: eligible.count * q)
        for (e, j) in eligible.enumerated() {
            for (k, x) in population.points.enumerated() { info[e * q + k] = bank.information(j, x) }
        }
        let tau = priorPrecision
        var current = [Double](repeating: 0, count: q)
        var taken = [Bool](repeating: false, count: eligible.count)
        var chosen: [Int] = []
        for _ in 0..<min(n, eligible.count) {
            var best = -1, bestGain = -Double.infinity
            for e in eligible.indices where !taken[e] {
                var gain = 0.0
                for k in 0..<q where c[k] > 0 {
                    let base = tau + current[k]
                    gain += c[k] * info[e * q + k] / (base * (base + info[e * q + k]))
                }
                if gain > bestGain { bestGain = gain; best = e }
            }
            guard best >= 0 else { break }
            taken[best] = true
            chosen.append(eligible[best])
            for k in 0..<q { current[k] += info[best * q + k] }
        }
        return chosen
    }

    func stratified(benchmark b: Int, count n: Int, seed: UInt64) -> [Int] {
        let eligible = bank.itemsOfBenchmark[b].filter { bank.isInformative($0) }
            .sorted { (bank.difficulty($0), $0) < (bank.difficulty($1), $1) }
        guard n > 0, !eligible.isEmpty else { return [] }
        if eligible.count <= n { return eligible }
        var rng = SplitMix(seed: seed, stream: UInt64(b) &+ 0x57A7)
        return (0..<n).map { s in
            let lo = eligible.count * s / n, hi = eligible.count * (s + 1) / n
            return eligible[lo + Int(rng.below(UInt64(hi - lo)))]
        }
    }

    func random(benchmark b: Int, count n: Int, seed: UInt64) -> [Int] {
        var pool = bank.itemsOfBenchmark[b].filter { bank.isUsable($0) }
        guard n > 0 else { return [] }
        if pool.count <= n { return pool }
        var rng = SplitMix(seed: seed, stream: UInt64(b) &+ 0x3A4D)
        // Partial Fisher–Yates: the first n positions are a uniform sample.
        for i in 0..<n {
            let k = i + Int(rng.below(UInt64(pool.count - i)))
            pool.swapAt(i, k)
        }
        return Array(pool[0..<n])
    }
}

/// SplitMix64: a tiny seeded generator, so selections are reproducible
/// from `--seed` on every platform (Swift's system generator is not seedable).
public struct SplitMix: RandomNumberGenerator, Sendable {
    private var state: UInt64
    public init(seed: UInt64, stream: UInt64 = 0) {
        state = seed &* 0x9E37_79B9_7F4A_7C15 &+ stream &* 0xD1B5_4A32_D192_ED03 &+ 0x2545_F491_4F6C_DD1D
    }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// Uniform on 0..<bound (bound > 0).
    public mutating func below(_ bound: UInt64) -> UInt64 { next() % bound }
}
