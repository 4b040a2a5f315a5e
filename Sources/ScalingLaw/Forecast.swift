import Foundation
import IRT
import Store

/// Options of a forecast.
public struct ForecastOptions: Sendable {
    /// Central probability of the intervals.
    public var level = 0.9
    /// Monte Carlo draws per model.
    public var draws = 4000
    /// Base seed; each model's draws are seeded from it and the model's name,
    /// so a forecast does not depend on which other models are forecast with it.
    public var seed: UInt64 = 0x5CA1_AB1E
    /// Trials per entry assumed for a binomial fit's response noise
    /// (P(1 − P)/t); 1 is Bernoulli, the widest.
    public var trials = 1.0
    public init() {}
}

/// One benchmark's forecast for one model.
public struct BenchmarkForecast: Sendable {
    public var benchmark: String
    /// Mean over the benchmark's items of P_j(θ̂) at the predicted ability.
    public var predicted: Double
    public var lower: Double
    public var upper: Double
    /// Items averaged.
    public var items: Int
}

/// A model's forecast: its ability and its benchmark scores.
public struct ModelForecast: Sendable {
    public var name: String
    public var family: String?
    public var ability: AbilityPrediction
    /// Interval of each ability dimension (normal, at the forecast's level).
    public var abilityLower: [Double]
    public var abilityUpper: [Double]
    public var benchmarks: [BenchmarkForecast]
}

/// Turns a law and a fit's items into forecasts with intervals.
///
/// The point forecast of a benchmark is the mean over its items of
/// P_j(θ̂), θ̂ = B̂ᵀx + α̂_family (0 for a new family). The interval is the
/// central `level` range of a Monte Carlo predictive distribution, each draw
/// adding up the four sources of error:
///
/// 1. the law's coefficients and the family effect, jointly
///    (wᵀ σ_e² C⁻¹ w from the mixed-model equations; a seen family's effect
///    is estimated, a new family's effect is drawn from N(0, σ_a²));
/// 2. for a family never seen, the family spread σ_a²;
/// 3. the model's own scatter around its family's line, σ_e²;
/// 4. the response noise of a finite benchmark: given θ, the benchmark
///    score is a mean of n item responses with variances
///    P(1 − P)/(φ_b + 1) (Beta) or P(1 − P)/t (binomial, t = 1 Bernoulli),
///    drawn as a normal with the variance of that mean (clamped to [0, 1]);
/// 5. with family × benchmark offsets, the family's offset and the model's
///    scatter around it, in place of (4);
/// 6. when the benchmark's scores are reported rounded to r
///    (`ScoreResolution`), the rounding error of the reported mean, uniform
///    with variance r²/(12 n).
///
/// Across ability dimensions, (1) and (3) are drawn with the correlation of
/// the law's residuals and (2) with the correlation of its family effects.
/// The draws are pushed through the nonlinear response function, so the
/// interval is asymmetric near the floor and the ceiling as it should be.
/// Item-parameter uncertainty is not included (it is small next to the
/// rest with hundreds of calibration models).
public struct Forecaster {
    public let law: AbilityLaw
    public let bank: CalibratedItems
    public let options: ForecastOptions
    private let residualFactor: [Double]
    private let familyFactor: [Double]
    /// Per benchmark of the bank, its index among the law's offsets (nil: no offset).
    private let offsetOfBenchmark: [Int?]

    public init(law: AbilityLaw, bank: CalibratedItems, options: ForecastOptions = ForecastOptions()) throws {
        guard law.dims == bank.dims else {
            throw LawError("the law has \(law.dims) ability dimension(s) but the fit's items have \(bank.dims)")
        }
        guard options.level > 0, options.level < 1 else { throw LawError("--level: expected a probability in (0, 1), got \(options.level)") }
        guard options.draws >= 100 else { throw LawError("--draws: expected at least 100, got \(options.draws)") }
        self.law = law; self.bank = bank; self.options = options
        residualFactor = DenseAlgebra.samplingFactor(law.residualCorrelation, law.dims)
        familyFactor = DenseAlgebra.samplingFactor(law.familyCorrelation, law.dims)
        offsetOfBenchmark = bank.benchmarkNames.map { law.offsets?.benchmarks.firstIndex(of: $0) }
    }

    /// The family × benchmark offset of bank benchmark b: its mean, the
    /// variance of its estimation error (τ_b² added for a family the offsets
    /// never saw) and the model's own scatter σ_b²; nil without offsets.
    func offset(family: String?, benchmark b: Int) -> (mean: Double, variance: Double, scatter: Double)? {
        guard let offsets = law.offsets, let o = offsetOfBenchmark[b] else { return nil }
        let (mean, variance) = offsets.offset(family: family, benchmark: o)
        return (mean, variance, offsets.residualVariance[o])
    }

    /// Forecast for one model.
    /// - Parameters:
    ///   - raw: log10 covariates (`ModelCovariates.raw(law.transform.set)`).
    ///   - items: per benchmark of the bank, the items to average (nil: all of
    ///     them); a benchmark with no items is left out. The backtest passes
    ///     the items a held-out model was actually scored on.
    ///   - evidence: responses of the model on other items (item, y as
    ///     stored, trials): the ability is then the posterior mode given
    ///     the law's prediction as the prior and these responses, and the
    ///     draws come from its Laplace approximation (`AbilityUpdate`).
    ///     This is how benchmarks a model did take forecast those it did not.
    public func forecast(name: String, family: String?, raw: [Double], items: [[Int]]? = nil,
                         evidence: [(item: Int, y: Double, trials: Double)] = []) -> ModelForecast {
        let k = law.dims
        var ability = law.predict(raw: raw, family: family)
        var posterior: [Double]? = nil
        if !evidence.isEmpty {
            let update = AbilityUpdate(forecaster: self, family: family, prior: ability, evidence: evidence)
            ability.mean = update.mean
            posterior = update.factor
        }
        let z = normalQuantile(0.5 + options.level / 2)
        let sd = ability.totalVariance.map { $0.squareRoot() }
        let sets = items ?? bank.itemsOfBenchmark
        let benchmarks = sets.indices.filter { !sets[$0].isEmpty }

        // Point forecasts at the predicted ability.
        let offsets = sets.indices.map { offset(family: family, benchmark: $0) }
        var predicted = [Double](repeating: 0, count: sets.count)
        for b in benchmarks {
            let shift = offsets[b]?.mean ?? 0
            predicted[b] = sets[b].reduce(0.0) { $0 + bank.probability($1, theta: ability.mean, shift: shift) } / Double(sets[b].count)
        }

        // Monte Carlo predictive distribution.
        var rng = NormalDraws(seed: options.seed ^ Forecaster.stableHash(name))
        let estSD = ability.estimationVariance.map { $0.squareRoot() }
        let famSD = ability.familyVariance.map { $0.squareRoot() }
        let resSD = ability.residualVariance.map { $0.squareRoot() }
        var draws = [[Double]](repeating: [], count: sets.count)
        for b in benchmarks { draws[b].reserveCapacity(options.draws) }
        var theta = [Double](repeating: 0, count: k)
        for _ in 0..<options.draws {
            let e1 = rng.correlated(residualFactor, k)
            let e2 = rng.correlated(familyFactor, k)
            let e3 = rng.correlated(residualFactor, k)
            if let posterior {
                // θ ~ N(θ̂, H⁻¹): the factor L of H⁻¹ = LLᵀ times standard normals.
                let z = (0..<k).map { _ in rng.normal() }
                for r in 0..<k { theta[r] = ability.mean[r] + (0...r).reduce(0.0) { $0 + posterior[r * k + $1] * z[$1] } }
            } else {
                for c in 0..<k { theta[c] = ability.mean[c] + estSD[c] * e1[c] + famSD[c] * e2[c] + resSD[c] * e3[c] }
            }
            for b in benchmarks {
                let n = Double(sets[b].count)
                if let o = offsets[b] {
                    // 5. the family's offset on this benchmark and the model's own scatter around it.
                    let shift = o.mean + o.variance.squareRoot() * rng.normal() + o.scatter.squareRoot() * rng.normal()
                    let score = sets[b].reduce(0.0) { $0 + bank.probability($1, theta: theta, shift: shift) } / n
                    draws[b].append(rounded(score, benchmark: b, items: n, &rng))
                    continue
                }
                var mean = 0.0, variance = 0.0
                for j in sets[b] {
                    let p = bank.probability(j, theta: theta)
                    mean += p
                    variance += bank.responseVariance(p, benchmark: b, trials: options.trials)
                }
                let score = mean / n + variance.squareRoot() / n * rng.normal()
                draws[b].append(rounded(score, benchmark: b, items: n, &rng))
            }
        }
        let alpha = (1 - options.level) / 2
        var out: [BenchmarkForecast] = []
        for b in benchmarks {
            draws[b].sort()
            let lo = Forecaster.quantile(draws[b], alpha), hi = Forecaster.quantile(draws[b], 1 - alpha)
            out.append(BenchmarkForecast(benchmark: bank.benchmarkNames[b], predicted: predicted[b],
                                         lower: min(lo, predicted[b]), upper: max(hi, predicted[b]), items: sets[b].count))
        }
        return ModelForecast(name: name, family: family, ability: ability,
                             abilityLower: (0..<k).map { ability.mean[$0] - z * sd[$0] },
                             abilityUpper: (0..<k).map { ability.mean[$0] + z * sd[$0] },
                             benchmarks: out)
    }

    /// A drawn score plus the rounding error of its report (6.), in [0, 1].
    private func rounded(_ score: Double, benchmark b: Int, items n: Double, _ rng: inout NormalDraws) -> Double {
        var s = score
        if let r = bank.resolution?[b], r > 0 { s += r * (rng.uniform() - 0.5) / n.squareRoot() }
        return min(max(s, 0), 1)
    }

    /// Linear-interpolation quantile of sorted values (type 7).
    static func quantile(_ sorted: [Double], _ q: Double) -> Double {
        let h = Double(sorted.count - 1) * q
        let i = Int(h.rounded(.down)), f = h - Double(i)
        return i + 1 < sorted.count ? sorted[i] * (1 - f) + sorted[i + 1] * f : sorted[i]
    }

    /// FNV-1a of the name: a seed that does not change between runs (Swift's hashValue does).
    static func stableHash(_ s: String) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in s.utf8 { h = (h ^ UInt64(byte)) &* 0x100_0000_01B3 }
        return h
    }

    /// CSV of forecasts: `model,benchmark,predicted,lower,upper`.
    public static func csv(_ forecasts: [ModelForecast]) -> String {
        let rows = forecasts.flatMap { f in
            f.benchmarks.map { ForecastTable.Row(model: f.name, benchmark: $0.benchmark, predicted: $0.predicted, lower: $0.lower, upper: $0.upper) }
        }
        return ForecastTable(path: "", rows: rows, baselines: [], hasObserved: false).csv()
    }
}

extension AbilityLaw {
    /// Refuses a fit other than the one the law was fitted on: abilities are
    /// identified only up to that fit's standardisation, so another fit's
    /// items would turn the law's abilities into nonsense.
    public func checkBelongs(to fit: FitResult, fitPath: String, lawPath: String) throws {
        guard fit.dims == dims else {
            throw LawError("\(lawPath) has \(dims) ability dimension(s) but \(fitPath) has \(fit.dims); forecast with the fit the law was made from (\(self.fitPath))")
        }
        if fitLogLikelihood.isFinite {
            let ll = fit.attributes.loglik
            let same = abs(ll - fitLogLikelihood) <= 1e-9 * max(abs(ll), 1) && fit.modelNames.count == fitModels
            guard same else {
                throw LawError("\(lawPath) was fitted to the abilities of \(self.fitPath) (loglik \(fitLogLikelihood), \(fitModels) models) but \(fitPath) has loglik \(ll) and \(fit.modelNames.count) models; forecast with the fit the law was made from")
            }
        }
    }
}
