import Foundation
import IRT

/// Chooses each benchmark's subset to reconstruct the full score of the
/// training models, not to measure θ.
///
/// Why: what a user wants from a 50-question subset is the full-benchmark
/// score, and on real data the items that best measure one shared ability
/// are not the ones that best predict a benchmark's own score. The
/// criterion is the error of the best line from a subset's mean to the
/// full score over the training models m (their true full scores t_m):
///
///     Var(t) − Cov(t, s)² / (Var(s) + E[v])
///
/// where s_m = (1/k) Σ_{j∈S} P_j(θ_m) is the subset mean the item curves
/// predict at the model's ability and v_m = (1/k²) Σ Var_j(θ_m) the
/// sampling noise of the observed mean around it. The full scores are the
/// models' real ones (so a benchmark the single ability fits badly is
/// judged on its own scores), the subset means are smoothed by the item
/// curves: with few training models the raw responses would let the greedy
/// search pick items for fitting a handful of models' noise (a greedy on
/// the raw responses' leave-one-out error was tried first and was 1.4 to
/// 2 times worse than random on the shared real matrices). The subset is
/// grown greedily, candidates scanned in parallel; at most `maxModels`
/// training models (evenly spaced) enter the criterion.
public struct ReconstructionSelector: @unchecked Sendable {
    public let bank: ItemBank
    /// [models × bank items] raw responses of the training models (NaN = missing).
    public let responses: [Float]
    /// The training models' abilities [models × K], in row order.
    public let theta: [Double]
    public let models: Int
    public var maxModels = 1500

    public init(bank: ItemBank, responses: [Float], theta: [Double]) {
        precondition(responses.count * bank.dims == theta.count * bank.count)
        self.bank = bank
        self.responses = responses
        self.theta = theta
        models = theta.count / bank.dims
    }

    /// Each benchmark's `perBenchmark` items, benchmarks in bank order, items in the order chosen.
    public func select(perBenchmark n: Int) -> [Int] {
        (0..<bank.benchmarkCount).flatMap { greedy(benchmark: $0, count: n) }
    }

    func greedy(benchmark b: Int, count n: Int) -> [Int] {
        let nItems = bank.count
        let candidates = bank.itemsOfBenchmark[b].filter { bank.isInformative($0) }
        guard n > 0, !candidates.isEmpty else { return [] }
        if candidates.count <= n { return candidates }
        let all = bank.itemsOfBenchmark[b].filter { bank.isUsable($0) }
        let stride = max(1, (models + maxModels - 1) / maxModels)
        let dk = bank.dims
        var thetas: [Double] = [], truth: [Double] = []
        for m in Swift.stride(from: 0, to: models, by: stride) where theta[(m * dk)..<((m + 1) * dk)].allSatisfy({ $0.isFinite }) {
            var s = 0.0, c = 0.0
            for j in all { let y = responses[m * nItems + j]; if !y.isNaN { s += Double(y); c += 1 } }
            if c > 0 { thetas += theta[(m * dk)..<((m + 1) * dk)]; truth.append(s / c) }
        }
        let r = truth.count
        guard r >= 3 else { return Array(candidates.prefix(n)) }
        let mt = truth.reduce(0, +) / Double(r)
        let centred = truth.map { $0 - mt }
        let phi = bank.phi[b]
        var p = [Double](repeating: 0, count: candidates.count * r), v = p
        for (e, j) in candidates.enumerated() {
            for k in 0..<r {
                let q = dk == 1 ? bank.probability(j, thetas[k]) : bank.probability(j, at: thetas[(k * dk)..<((k + 1) * dk)])
                p[e * r + k] = q
                v[e * r + k] = ItemInformation.variance(p: q, response: bank.response, phi: phi)
            }
        }
        var sumP = [Double](repeating: 0, count: r), sumV = 0.0
        var taken = [Bool](repeating: false, count: candidates.count)
        var chosen: [Int] = []
        let workers = max(1, ProcessInfo.processInfo.activeProcessorCount)
        for step in 0..<n {
            let k = Double(step + 1)
            var bestOf = [(Double, Int)](repeating: (.infinity, -1), count: workers)
            bestOf.withUnsafeMutableBufferPointer { out in
                let o = out
                DispatchQueue.concurrentPerform(iterations: workers) { w in
                    var best = (Double.infinity, -1)
                    for e in Swift.stride(from: w, to: candidates.count, by: workers) where !taken[e] {
                        var ms = 0.0, ss = 0.0, cs = 0.0, vs = 0.0
                        for i in 0..<r {
                            let s = (sumP[i] + p[e * r + i]) / k
                            ms += s; ss += s * s; cs += s * centred[i]; vs += v[e * r + i]
                        }
                        let mean = ms / Double(r)
                        let varS = ss / Double(r) - mean * mean
                        let noise = (sumV + vs) / (k * k * Double(r))
                        let cov = cs / Double(r)
                        let error = -cov * cov / max(varS + noise, 1e-300)
                        if error < best.0 { best = (error, e) }
                    }
                    o[w] = best
                }
            }
            guard let pick = bestOf.filter({ $0.1 >= 0 }).min(by: { ($0.0, $0.1) < ($1.0, $1.1) }) else { break }
            let e = pick.1
            taken[e] = true
            chosen.append(candidates[e])
            for i in 0..<r { sumP[i] += p[e * r + i]; sumV += v[e * r + i] }
        }
        return chosen
    }
}

extension SelectedItem {
    /// A chosen item and its integrated information, for selectors outside
    /// `ItemSelector` (the synthesized initializer is internal).
    public static func chosen(_ item: Int, information: Double) -> SelectedItem {
        SelectedItem(item: item, information: information)
    }
}
