import Foundation

/// Chooses each benchmark's subset from the training models' responses
/// alone: N equal-count strata of empirical difficulty (the items' mean
/// response over the training models), and in each stratum the item whose
/// responses correlate best with the models' full benchmark score.
///
/// Why: the subset mean of a calibrated score (`ScoreCalibration`) is a
/// stratified sample of the benchmark: strata of difficulty remove the
/// between-difficulty part of the item-sampling noise (a random subset can
/// draw too many easy items), and within a stratum the most score-correlated
/// item carries the most of what the full score says about a model. Unlike
/// the IRT criteria (`fisher`, `reconstruction`), nothing here trusts the
/// item curves, so a benchmark the shared ability fits badly, or responses
/// the likelihood does not describe (judge probabilities near 0), is judged
/// on its own scores. With few training models the correlations are noisy;
/// `CrossValidatedSelector` decides per benchmark whether that pays.
public struct DiscriminatingSelector: @unchecked Sendable {
    public let bank: ItemBank
    /// [models × bank items] raw responses of the training models (NaN = missing).
    public let responses: [Float]
    public let models: Int

    public init(bank: ItemBank, responses: [Float]) {
        precondition(responses.count % max(bank.count, 1) == 0)
        self.bank = bank
        self.responses = responses
        models = responses.count / max(bank.count, 1)
    }

    /// Each benchmark's `perBenchmark` items, benchmarks in bank order, strata from easy to hard.
    public func select(perBenchmark n: Int) -> [Int] {
        (0..<bank.benchmarkCount).flatMap { choose(benchmark: $0, count: n) }
    }

    func choose(benchmark b: Int, count n: Int) -> [Int] {
        let nItems = bank.count
        let pool = bank.itemsOfBenchmark[b].filter { bank.isUsable($0) }
        guard n > 0, !pool.isEmpty else { return [] }
        if pool.count <= n { return pool }
        // Each model's full score on the benchmark (mean over its answered items).
        var truth = [Double](repeating: .nan, count: models)
        for m in 0..<models {
            var s = 0.0, c = 0.0
            for j in pool { let y = responses[m * nItems + j]; if !y.isNaN { s += Double(y); c += 1 } }
            if c > 0 { truth[m] = s / c }
        }
        // Per item: mean response and correlation with the full score, over the models that answered it.
        var mean = [Double](repeating: .nan, count: pool.count), corr = [Double](repeating: -.infinity, count: pool.count)
        for (e, j) in pool.enumerated() {
            var n0 = 0.0, sy = 0.0, st = 0.0, syy = 0.0, stt = 0.0, syt = 0.0
            for m in 0..<models where truth[m].isFinite {
                let y = responses[m * nItems + j]
                if y.isNaN { continue }
                let v = Double(y), t = truth[m]
                n0 += 1; sy += v; st += t; syy += v * v; stt += t * t; syt += v * t
            }
            guard n0 > 0 else { continue }
            mean[e] = sy / n0
            let vy = syy - sy * sy / n0, vt = stt - st * st / n0
            if n0 >= 3, vy > 1e-12, vt > 1e-12 { corr[e] = (syt - sy * st / n0) / (vy * vt).squareRoot() }
        }
        // Items nobody answered go last; ties in difficulty by bank order, so the strata are reproducible.
        let order = pool.indices.sorted { l, r in
            let ml = mean[l].isFinite ? mean[l] : .infinity, mr = mean[r].isFinite ? mean[r] : .infinity
            return (ml, l) < (mr, r)
        }
        return (0..<n).map { s in
            let stratum = order[(pool.count * s / n)..<(pool.count * (s + 1) / n)]
            let best = stratum.max { (corr[$0], -$0) < (corr[$1], -$1) }!
            return pool[best]
        }
    }
}
