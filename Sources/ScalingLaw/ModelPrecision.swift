import Foundation

/// The precision φ of one model's per-question success rates on one
/// benchmark, re-estimated from that model's own counts for its pass@k
/// posterior.
///
/// Why: the fit has one φ per benchmark, but how much a model's success rate
/// varies around the IRT mean μ differs between models (on livecodebench, 29
/// models with 3 samples each, the per-model estimates range from 0.13 to
/// 1.6 around the benchmark's 0.55). pass@k for large k is the chance that a
/// question is not out of reach, which is exactly what φ sets, so with one φ
/// per benchmark the posterior pass@10 was off by 0.016 on average; with the
/// model's own φ by 0.007 (docs/scaling-law.md, "pass@k").
///
/// The estimate is the posterior mode of log φ given the model's counts c_j
/// of n_j, the beta-binomial marginal
/// Σ_j [lnΓ(c_j + μ_jφ) + lnΓ(n_j − c_j + (1 − μ_j)φ) − lnΓ(n_j + φ) − lnΓ(μ_jφ) − lnΓ((1 − μ_j)φ) + lnΓ(φ)],
/// and a normal prior on log φ centred on the benchmark's φ with standard
/// deviation 1 (`priorSD`), which keeps a model with a handful of answered
/// questions near the benchmark's value and is negligible with hundreds.
/// Found by golden-section search over log φ within ±`searchHalfWidth` of the
/// prior's centre (the objective is smooth and, in practice, unimodal there).
public enum ModelPrecision {
    public static let priorSD = 1.0
    public static let searchHalfWidth = 8.0

    /// - Parameters:
    ///   - mu: the calibrated success probability of each question with counts.
    ///   - successes, samples: the model's counts on those questions.
    ///   - benchmarkPhi: the fitted φ of the benchmark (the prior's centre).
    public static func estimate(mu: [Double], successes: [Double], samples: [Double], benchmarkPhi: Double) -> Double {
        precondition(mu.count == successes.count && mu.count == samples.count)
        guard benchmarkPhi > 0, benchmarkPhi.isFinite else { return benchmarkPhi }
        guard !mu.isEmpty else { return benchmarkPhi }
        let centre = log(benchmarkPhi)
        func objective(_ x: Double) -> Double {
            logPosterior(logPhi: x, mu: mu, successes: successes, samples: samples, benchmarkPhi: benchmarkPhi)
        }
        var lo = centre - searchHalfWidth, hi = centre + searchHalfWidth
        let ratio = (5.0.squareRoot() - 1) / 2
        var x1 = hi - ratio * (hi - lo), x2 = lo + ratio * (hi - lo)
        var f1 = objective(x1), f2 = objective(x2)
        while hi - lo > 1e-6 {
            if f1 < f2 {
                lo = x1; x1 = x2; f1 = f2
                x2 = lo + ratio * (hi - lo); f2 = objective(x2)
            } else {
                hi = x2; x2 = x1; f2 = f1
                x1 = hi - ratio * (hi - lo); f1 = objective(x1)
            }
        }
        return exp((lo + hi) / 2)
    }

    /// The maximised objective: the beta-binomial log marginal of the counts
    /// (log C(n, c) omitted) plus the log prior of log φ, up to a constant.
    public static func logPosterior(logPhi: Double, mu: [Double], successes: [Double], samples: [Double], benchmarkPhi: Double) -> Double {
        let phi = exp(logPhi), centre = log(benchmarkPhi)
        var total = -0.5 * (logPhi - centre) * (logPhi - centre) / (priorSD * priorSD)
        let lgPhi: Double = lgamma(phi)
        for j in mu.indices {
            let m = min(max(mu[j], 1e-12), 1 - 1e-12)
            let a = m * phi, b = (1 - m) * phi, c = successes[j], n = samples[j]
            let gains: Double = lgamma(c + a) + lgamma(n - c + b) - lgamma(n + phi)
            let losses: Double = lgamma(a) + lgamma(b)
            total += gains - losses + lgPhi
        }
        return total
    }
}
