import Foundation

/// A benchmark's calibration of subset scores against the full score,
/// learned on models whose full responses are known (the training models).
///
/// Why: on real matrices the IRT prediction of the unanswered questions is
/// biased for some benchmarks (one ability cannot carry what a benchmark
/// measures on its own), while the answered questions' own mean is unbiased
/// for the full score but noisy. Following gp-IRT, the two are combined
/// convexly, c = λ·F_irt + (1 − λ)·m (F_irt: `ScorePredictor`'s full-score
/// estimate, m: the mean of the benchmark's answered subset items), and c is
/// then mapped to the full score by a line fitted on the training models,
/// F̂ = α + β·c. λ is chosen on a grid of [0, 1] by the leave-one-out
/// (PRESS) error of that line over the training models; the grid holds
/// λ = 0 (the linear-calibrated subset mean, the tinyBenchmarks baseline) and
/// λ = 1 (the calibrated IRT prediction), so on the training models the
/// combination's leave-one-out error is never above either part's.
/// `residualSD` is the leave-one-out RMSE: the error a new model's
/// calibrated score can expect, used as its standard deviation.
public struct ScoreCalibration: Sendable, Equatable {
    /// λ: the weight of the IRT prediction.
    public var weight: Double
    public var intercept: Double
    public var slope: Double
    /// Leave-one-out RMSE over the training models (NaN for the identity).
    public var residualSD: Double
    /// Training models used.
    public var models: Int

    /// The IRT prediction as it is (fewer than 3 training models with a score).
    public static let identity = ScoreCalibration(weight: 1, intercept: 0, slope: 1, residualSD: .nan, models: 0)

    public init(weight: Double, intercept: Double, slope: Double, residualSD: Double, models: Int) {
        self.weight = weight; self.intercept = intercept; self.slope = slope
        self.residualSD = residualSD; self.models = models
    }

    /// c = λ·irt + (1 − λ)·mean; the IRT prediction alone when no subset item was answered.
    @inlinable
    public func combine(irt: Double, mean: Double) -> Double {
        mean.isFinite ? weight * irt + (1 - weight) * mean : irt
    }

    /// The calibrated full-score estimate, clipped to [0, 1].
    @inlinable
    public func apply(irt: Double, mean: Double) -> Double {
        min(max(intercept + slope * combine(irt: irt, mean: mean), 0), 1)
    }

    /// Fits λ, α and β on training models (entries with a non-finite truth
    /// or IRT prediction are skipped).
    public static func fit(irt: [Double], mean: [Double], truth: [Double], grid: Int = 20) -> ScoreCalibration {
        var x1: [Double] = [], x0: [Double] = [], t: [Double] = []
        for i in truth.indices where truth[i].isFinite && irt[i].isFinite {
            x1.append(irt[i]); x0.append(mean[i]); t.append(truth[i])
        }
        guard t.count >= 3 else { return .identity }
        var best = ScoreCalibration.identity, bestPress = Double.infinity
        for k in 0...grid {
            let w = Double(k) / Double(grid)
            var probe = ScoreCalibration(weight: w, intercept: 0, slope: 1, residualSD: .nan, models: t.count)
            let c = t.indices.map { probe.combine(irt: x1[$0], mean: x0[$0]) }
            let line = LeaveOneOutLine(x: c, y: t)
            if line.press < bestPress - 1e-15 {
                bestPress = line.press
                probe.intercept = line.intercept; probe.slope = line.slope
                probe.residualSD = (line.press / Double(t.count)).squareRoot()
                best = probe
            }
        }
        return best
    }
}

/// The least-squares line y ≈ α + β·x and its leave-one-out squared error
/// (PRESS, Σ (e_i / (1 − h_i))², h_i = 1/n + (x_i − x̄)²/Sxx), in closed form.
/// With no spread in x the line is the mean of y, and PRESS is that mean's
/// leave-one-out error.
public struct LeaveOneOutLine: Sendable {
    public let intercept: Double
    public let slope: Double
    public let press: Double

    public init(x: [Double], y: [Double]) {
        let n = Double(x.count)
        precondition(x.count == y.count && x.count >= 2)
        let mx = x.reduce(0, +) / n, my = y.reduce(0, +) / n
        var sxx = 0.0, sxy = 0.0
        for i in x.indices { sxx += (x[i] - mx) * (x[i] - mx); sxy += (x[i] - mx) * (y[i] - my) }
        var press = 0.0
        if sxx > 1e-14 * max(1, mx * mx) * n {
            slope = sxy / sxx
            intercept = my - slope * mx
            for i in x.indices {
                let e = y[i] - intercept - slope * x[i]
                let h = 1 / n + (x[i] - mx) * (x[i] - mx) / sxx
                let r = h < 1 - 1e-9 ? e / (1 - h) : e
                press += r * r
            }
        } else {
            slope = 0
            intercept = my
            let f = n / (n - 1)
            for v in y { press += f * f * (v - my) * (v - my) }
        }
        self.press = press
    }
}

/// One calibration per benchmark, fitted from [models × benchmarks] arrays.
public struct BenchmarkCalibrations: Sendable {
    public let benchmarks: [ScoreCalibration]

    public init(benchmarks: [ScoreCalibration]) { self.benchmarks = benchmarks }

    /// - Parameters: `irt`, `mean`, `truth`: [models × nb], row-major.
    public static func fit(irt: [Double], mean: [Double], truth: [Double], benchmarks nb: Int) -> BenchmarkCalibrations {
        let models = truth.count / max(nb, 1)
        return BenchmarkCalibrations(benchmarks: (0..<nb).map { b in
            let pick = { (v: [Double]) in (0..<models).map { v[$0 * nb + b] } }
            return ScoreCalibration.fit(irt: pick(irt), mean: pick(mean), truth: pick(truth))
        })
    }

    /// [models × nb] calibrated estimates.
    public func apply(irt: [Double], mean: [Double]) -> [Double] {
        let nb = benchmarks.count
        return irt.indices.map { i in benchmarks[i % nb].apply(irt: irt[i], mean: mean[i]) }
    }
}

/// Per-benchmark means of observed responses.
public enum SubsetMeans {
    /// [models × nb]: each model's mean response over the benchmark's items in
    /// `allowed` (all usable items when nil) that it answered; NaN when none.
    public static func compute(_ responses: [Float], models: Int, bank: ItemBank, allowed: [Bool]?) -> [Double] {
        let n = bank.count, nb = bank.benchmarkCount
        var out = [Double](repeating: .nan, count: models * nb)
        var sum = [Double](repeating: 0, count: nb), count = sum
        for m in 0..<models {
            for b in 0..<nb { sum[b] = 0; count[b] = 0 }
            for j in 0..<n where bank.isUsable(j) && (allowed?[j] ?? true) {
                let y = responses[m * n + j]
                if y.isNaN { continue }
                sum[bank.benchmarkOfItem[j]] += Double(y); count[bank.benchmarkOfItem[j]] += 1
            }
            for b in 0..<nb where count[b] > 0 { out[m * nb + b] = sum[b] / count[b] }
        }
        return out
    }
}
