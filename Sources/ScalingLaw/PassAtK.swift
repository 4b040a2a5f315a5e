import Foundation
import Store

/// pass@k: the chance that at least one of k independent samples solves a question.
///
/// From a calibrated per-question success probability p it is
/// 1 − (1 − p)^k (samples are independent given the model and the
/// question, the binomial likelihood's assumption), averaged over the
/// benchmark's questions. From counts (c successes in n samples) the
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
    /// Mean over the benchmark's questions of 1 − (1 − p)^k.
    public var predicted: Double
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
            for (b, items) in sets.enumerated() where !items.isEmpty {
                for kk in ks {
                    let predicted = items.reduce(0.0) { $0 + fromProbability(p[$1], k: Double(kk)) } / Double(items.count)
                    var empirical = Double.nan, used = 0
                    if let row = counts?[position] {
                        var sum = 0.0, complete = true
                        for j in items {
                            let y = row.responses[j], n = Int(row.trials[j])
                            guard !y.isNaN, n >= 1 else { continue }
                            let c = Int((Double(y) * Double(n)).rounded())
                            guard let v = unbiased(n: n, c: c, k: kk) else { complete = false; break }
                            sum += v; used += 1
                        }
                        if complete && used > 0 { empirical = sum / Double(used) } else { used = 0 }
                    }
                    rows.append(PassAtKRow(model: modelNames[m], benchmark: bank.benchmarkNames[b], k: kk,
                                           predicted: predicted, empirical: empirical, questions: used))
                }
            }
        }
        return rows
    }

    /// CSV: `model,benchmark,k,predicted,empirical,questions` (empirical empty where undefined).
    public static func csv(_ rows: [PassAtKRow]) -> String {
        var w = CSVWriter()
        w.row(["model", "benchmark", "k", "predicted", "empirical", "questions"])
        for r in rows {
            w.row([r.model, r.benchmark, String(r.k), CSVWriter.number(r.predicted), CSVWriter.number(r.empirical), String(r.questions)])
        }
        return w.text
    }
}
