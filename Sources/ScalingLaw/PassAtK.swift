import Foundation
import Store

/// pass@k: the chance that at least one of k independent samples solves a question.
///
/// Under the binomial (and Bernoulli) likelihood a model's success
/// probability on a question is p itself, so pass@k = 1 − (1 − p)^k. Under
/// the beta-binomial (and Beta) likelihood the per-(model, question) success
/// rate q varies around p as Beta(pφ, (1 − p)φ), and pass@k is the mixture
///
///     E[1 − (1 − q)^k] = 1 − B(α, β + k)/B(α, β) = 1 − Π_{i<k} (β + i)/(φ + i),
///
/// which is far below 1 − (1 − p)^k when φ is small: plugging the mean into
/// the formula ignores that some questions are out of reach whatever k.
/// For a model whose own samples are in the file (c successes of n), q's
/// posterior is Beta(α + c, β + n − c) and pass@k follows the same formula,
/// which combines the calibrated prior with the model's own evidence; the
/// prior's precision there is the model's own φ on the benchmark, estimated
/// from its counts (`ModelPrecision`).
/// Averaged over the benchmark's questions. From counts (c successes in n samples) the
/// unbiased estimator of Chen et al. (2021) is 1 − C(n − c, k)/C(n, k) for
/// k ≤ n; it says nothing about k > n, which is where the calibrated p
/// extrapolates.
public enum PassAtK {
    /// 1 − C(n − c, k)/C(n, k), as the product 1 − Π_{i=n−c+1}^{n} (1 − k/i)
    /// (no factorials, no overflow); nil when k > n or the counts are invalid.
    public static func unbiased(n: Int, c: Int, k: Int) -> Double? {
        guard k >= 1, k <= n, c >= 0, c <= n else { return nil }
        if n - c < k { return 1 }
        var product = 1.0
        if c > 0 { for i in (n - c + 1)...n { product *= 1 - Double(k) / Double(i) } }
        return 1 - product
    }

    /// 1 − Π_{i<k} (β + i)/(φ + i), the pass@k of a Beta(α, β) success rate
    /// (φ = α + β), summed in logs; for non-integer k the Beta-function ratio.
    public static func mixture(alpha: Double, beta: Double, k: Double) -> Double {
        guard alpha > 0, beta > 0 else { return alpha > 0 ? 1 : 0 }
        let phi = alpha + beta
        var logRatio = 0.0
        if k == k.rounded(), k <= 10_000 {
            for i in 0..<Int(k) { logRatio += log1p(-alpha / (phi + Double(i))) }
        } else {
            logRatio = lgamma(beta + k) - lgamma(beta) + lgamma(phi) - lgamma(phi + k)
        }
        return -expm1(logRatio)
    }

    /// pass@k of a question with calibrated success probability p under a
    /// likelihood with precision φ (∞ or NaN: binomial), optionally updated by
    /// the model's own c successes in n samples.
    public static func predicted(p: Double, phi: Double, k: Double, successes c: Double = 0, samples n: Double = 0) -> Double {
        guard phi.isFinite, phi > 0 else {
            return fromProbability(p, k: k)
        }
        let p = min(max(p, 1e-12), 1 - 1e-12)
        return mixture(alpha: p * phi + c, beta: (1 - p) * phi + (n - c), k: k)
    }

    /// 1 − (1 − p)^k, computed as −expm1(k·log1p(−p)) so small p and large k stay accurate.
    public static func fromProbability(_ p: Double, k: Double) -> Double {
        if p >= 1 { return 1 }
        if p <= 0 { return 0 }
        return -expm1(k * log1p(-p))
    }
}

/// One row of a pass@k table.
public struct PassAtKRow: Sendable {
    public var model: String
    public var benchmark: String
    public var k: Int
    /// Mean over the benchmark's questions of the likelihood's pass@k for
    /// this ability (the mixture for beta-binomial/Beta fits, 1 − (1 − p)^k
    /// for binomial/Bernoulli): what the calibration alone predicts.
    public var predicted: Double
    /// Mean over the questions with counts of the posterior pass@k given this
    /// model's own samples (with the model's own φ, `ModelPrecision`); NaN without counts.
    public var posterior: Double
    /// Mean over the questions with counts of the unbiased estimator; NaN
    /// when there are no counts or some question has fewer than k samples.
    public var empirical: Double
    /// Questions behind `empirical`.
    public var questions: Int
}

extension PassAtK {
    /// The table for `models` (indices into `theta` [M × K]) × benchmarks × `ks`.
    /// - Parameters:
    ///   - counts: for each model of `models`, its row of successes / trials
    ///     (`responses` as stored, `trials` integers), or nil without counts.
    public static func table(bank: CalibratedItems, theta: [Double], modelNames: [String], models: [Int], ks: [Int],
                             counts: [(responses: [Float], trials: [Int32])]?) -> [PassAtKRow] {
        let k = bank.dims
        let sets = bank.itemsOfBenchmark
        var rows: [PassAtKRow] = []
        for (position, m) in models.enumerated() {
            let t = Array(theta[(m * k)..<((m + 1) * k)])
            let p = (0..<bank.count).map { bank.probability($0, theta: t) }
            // The posterior's φ: this model's own, from its counts (ModelPrecision).
            var modelPhis: [Int: Double] = [:]
            if let row = counts?[position], bank.response.hasPrecision {
                for (b, items) in sets.enumerated() where b < bank.phi.count {
                    let seen = items.filter { !row.responses[$0].isNaN && row.trials[$0] >= 1 }
                    let n = seen.map { Double(row.trials[$0]) }
                    modelPhis[b] = ModelPrecision.estimate(mu: seen.map { p[$0] },
                                                           successes: seen.indices.map { (Double(row.responses[seen[$0]]) * n[$0]).rounded() },
                                                           samples: n, benchmarkPhi: bank.phi[b])
                }
            }
            for (b, items) in sets.enumerated() where !items.isEmpty {
                let phi = bank.response.hasPrecision && b < bank.phi.count ? bank.phi[b] : .nan
                for kk in ks {
                    let predicted = items.reduce(0.0) { $0 + Self.predicted(p: p[$1], phi: phi, k: Double(kk)) } / Double(items.count)
                    var empirical = Double.nan, posterior = Double.nan, used = 0
                    if let row = counts?[position] {
                        var sum = 0.0, post = 0.0, seen = 0, complete = true
                        let modelPhi = modelPhis[b] ?? phi
                        for j in items {
                            let y = row.responses[j], n = Int(row.trials[j])
                            guard !y.isNaN, n >= 1 else { continue }
                            let c = Int((Double(y) * Double(n)).rounded())
                            post += Self.predicted(p: p[j], phi: modelPhi, k: Double(kk), successes: Double(c), samples: Double(n))
                            seen += 1
                            if complete, let v = unbiased(n: n, c: c, k: kk) { sum += v; used += 1 } else { complete = false }
                        }
                        if seen > 0 { posterior = post / Double(seen) }
                        if complete && used > 0 { empirical = sum / Double(used) } else { used = 0 }
                    }
                    rows.append(PassAtKRow(model: modelNames[m], benchmark: bank.benchmarkNames[b], k: kk,
                                           predicted: predicted, posterior: posterior, empirical: empirical, questions: used))
                }
            }
        }
        return rows
    }

    /// CSV: `model,benchmark,k,predicted,posterior,empirical,questions` (posterior and empirical empty where undefined).
    public static func csv(_ rows: [PassAtKRow]) -> String {
        var w = CSVWriter()
        w.row(["model", "benchmark", "k", "predicted", "posterior", "empirical", "questions"])
        for r in rows {
            w.row([r.model, r.benchmark, String(r.k), CSVWriter.number(r.predicted), CSVWriter.number(r.posterior),
                   CSVWriter.number(r.empirical), String(r.questions)])
        }
        return w.text
    }
}
