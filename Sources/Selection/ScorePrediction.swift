import Foundation
import IRT

/// A model's estimated full-benchmark score: the mean response over all of
/// the benchmark's items, with an interval.
public struct BenchmarkScore: Sendable, Equatable {
    /// Index into `ItemBank.benchmarkNames`.
    public var benchmark: Int
    /// Posterior mean of the full score.
    public var estimate: Double
    /// Bounds of the central interval at the requested level.
    public var lower: Double
    public var upper: Double
    /// Posterior standard deviation of the full score.
    public var sd: Double
    /// The benchmark's observed items used (they count as themselves).
    public var itemsUsed: Int
    /// The benchmark's items in the bank (the denominator of the score).
    public var itemsTotal: Int
}

/// What `score` (and the end of an adaptive test) reports for one model.
public struct ScoredModel: Sendable {
    public var ability: AbilityEstimate
    /// Whether the score posterior is the likelihood alone (`--estimator mle`
    /// and the MLE exists) rather than likelihood × population prior.
    public var usedMLE: Bool
    public var scores: [BenchmarkScore]
}

/// Full-benchmark scores from a few observed items.
///
/// The full score of benchmark b is F_b = (1/n_b) Σ_j y_j over its n_b
/// items. Observed items count as themselves; each unobserved item is
/// replaced by its prediction P_j(θ). θ is unknown, so F_b is averaged over
/// the ability posterior (likelihood of the observed items × population
/// prior), evaluated on a grid around the posterior mode: the estimate is
/// the posterior mean of F_b, and its variance adds the spread of the
/// prediction over θ to the sampling variance of the unobserved responses
/// themselves, Σ Var(y_j | θ)/n_b² (which no amount of ability information
/// removes: it is why small benchmarks keep an error floor). The interval
/// is the normal one at the requested level, clipped to [0, 1].
///
/// Why the grid: sums over every item of the bank at every posterior point
/// would cost O(N) per point and model; instead Σ_j P_j(θ) and
/// Σ_j Var(y_j | θ) per benchmark are tabulated once on a fine θ grid
/// (spacing 0.005, linear interpolation error below 1e-5 of the score), and
/// only the observed items are evaluated per model.
///
/// K > 1: the same score posterior, over the K-dimensional ability
/// posterior instead of a θ grid (`ScorePrediction+Dimensions.swift`).
public final class ScorePredictor: @unchecked Sendable {
    public let bank: ItemBank
    let lo = -12.0, step = 0.005
    let count: Int
    /// [B × count]: Σ_{j ∈ b} P_j(θ) over usable items.
    let totals: [Double]
    /// [B × count]: Σ_{j ∈ b} Var(y_j | θ) per trial.
    let variances: [Double]
    /// Usable items per benchmark (the denominators).
    public let itemsPerBenchmark: [Int]

    public init(bank: ItemBank) {
        self.bank = bank
        count = Int((2 * -lo) / step) + 1
        let b = bank.benchmarkCount
        var totals = [Double](repeating: 0, count: b * count)
        var variances = totals
        var perBenchmark = [Int](repeating: 0, count: b)
        let lo = self.lo, step = self.step, count = self.count
        // One benchmark per task: the tables are independent. K > 1 has no θ grid to tabulate on.
        if bank.dims == 1 {
        totals.withUnsafeMutableBufferPointer { tBuf in
            variances.withUnsafeMutableBufferPointer { vBuf in
                let t = tBuf, v = vBuf
                DispatchQueue.concurrentPerform(iterations: b) { bi in
                    let items = bank.itemsOfBenchmark[bi].filter { bank.isUsable($0) }
                    let phi = bank.phi[bi]
                    for q in 0..<count {
                        let theta = lo + Double(q) * step
                        var s = 0.0, w = 0.0
                        for j in items {
                            let p = bank.probability(j, theta)
                            s += p
                            w += ItemInformation.variance(p: p, response: bank.response, phi: phi)
                        }
                        t[bi * count + q] = s
                        v[bi * count + q] = w
                    }
                }
            }
        }
        }
        for bi in 0..<b { perBenchmark[bi] = bank.itemsOfBenchmark[bi].filter { bank.isUsable($0) }.count }
        self.totals = totals
        self.variances = variances
        itemsPerBenchmark = perBenchmark
    }

    /// Linear interpolation of a tabulated benchmark sum at θ.
    @inline(__always)
    func interpolate(_ table: [Double], _ b: Int, _ theta: Double) -> Double {
        let x = (min(max(theta, lo), -lo) - lo) / step
        let i = min(Int(x), count - 2)
        let f = x - Double(i)
        let base = b * count + i
        return table[base] * (1 - f) + table[base + 1] * f
    }

    /// Scores one model from its observed responses.
    /// - Parameters:
    ///   - prior: the population prior (also the fallback when the MLE is asked for but does not exist).
    ///   - level: the interval's coverage, in (0, 1).
    ///   - useMLE: centre the ability on the MLE and drop the prior from the score posterior where the MLE exists.
    public func score(_ observations: [Observation], prior: AbilityPrior, level: Double = 0.9,
                      useMLE: Bool = false, start: Double? = nil) -> ScoredModel {
        let obs = observations.filter { bank.isUsable($0.item) }
        if bank.dims > 1 { return multidimensionalScore(obs, level: level) }
        let ability = AbilityEstimator.estimate(obs, bank: bank, prior: prior, start: start)
        let flat = useMLE && ability.mle != nil
        let centre = flat ? ability.mle! : ability.theta
        let spread = flat ? ability.mleSE! : ability.se
        return ScoredModel(ability: ability, usedMLE: flat,
                           scores: scores(obs, prior: flat ? nil : prior, centre: centre, spread: spread, level: level))
    }

    /// The score posterior on a grid of `points` abilities over centre ± 6·spread.
    func scores(_ obs: [Observation], prior: AbilityPrior?, centre: Double, spread: Double, level: Double,
                points: Int = 61) -> [BenchmarkScore] {
        let nb = bank.benchmarkCount
        let width = 6 * (spread.isFinite && spread > 0 ? min(spread, 3) : 3)
        let a = max(centre - width, lo), b = min(centre + width, -lo)
        let grid = (0..<points).map { a + (b - a) * Double($0) / Double(points - 1) }
        let terms = AbilityEstimator.phiTerms(bank)
        var logW = grid.map { AbilityEstimator.evaluate(obs, bank: bank, prior: prior, theta: $0, terms: terms).value }
        let top = logW.max() ?? 0
        for i in logW.indices { logW[i] = exp(logW[i] - top) }
        let total = logW.reduce(0, +)
        let w = logW.map { $0 / total }

        // Observed sums per benchmark, and what their predictions contribute at each grid point.
        var observedSum = [Double](repeating: 0, count: nb), observedCount = [Int](repeating: 0, count: nb)
        var trials = 0.0
        for o in obs {
            observedSum[bank.benchmarkOfItem[o.item]] += o.y
            observedCount[bank.benchmarkOfItem[o.item]] += 1
            trials += o.trials
        }
        let typicalTrials = obs.isEmpty ? 1 : trials / Double(obs.count)
        let z = normalQuantile(0.5 + level / 2)
        var mean = [Double](repeating: 0, count: nb), second = mean, noise = mean
        var predictedObserved = [Double](repeating: 0, count: nb), varianceObserved = predictedObserved
        for (k, theta) in grid.enumerated() where w[k] > 1e-14 {
            for i in 0..<nb { predictedObserved[i] = 0; varianceObserved[i] = 0 }
            for o in obs {
                let bi = bank.benchmarkOfItem[o.item]
                let p = bank.probability(o.item, theta)
                predictedObserved[bi] += p
                varianceObserved[bi] += ItemInformation.variance(p: p, response: bank.response, phi: bank.phi[bi])
            }
            for bi in 0..<nb {
                let n = Double(itemsPerBenchmark[bi])
                guard n > 0 else { continue }
                let predicted = max(interpolate(totals, bi, theta) - predictedObserved[bi], 0)
                let f = (observedSum[bi] + predicted) / n
                let v = max(interpolate(variances, bi, theta) - varianceObserved[bi], 0) / (n * n)
                    / (bank.response == .beta ? 1 : typicalTrials)
                mean[bi] += w[k] * f
                second[bi] += w[k] * f * f
                noise[bi] += w[k] * v
            }
        }
        return finish(mean: mean, second: second, noise: noise, observedCount: observedCount, z: z)
    }

    /// The scores from the posterior moments of each benchmark's full score:
    /// sd² = E[F²] − E[F]² + E[noise], normal interval clipped to [0, 1].
    func finish(mean: [Double], second: [Double], noise: [Double], observedCount: [Int], z: Double) -> [BenchmarkScore] {
        (0..<bank.benchmarkCount).map { bi in
            let sd = max(second[bi] - mean[bi] * mean[bi] + noise[bi], 0).squareRoot()
            return BenchmarkScore(benchmark: bi, estimate: mean[bi],
                                  lower: max(mean[bi] - z * sd, 0), upper: min(mean[bi] + z * sd, 1), sd: sd,
                                  itemsUsed: observedCount[bi], itemsTotal: itemsPerBenchmark[bi])
        }
    }
}
