import Foundation
import IRT

/// Settings of a simulated computerized adaptive test.
public struct AdaptiveTestOptions: Sendable, Equatable {
    /// Items given before the first estimate, spread over difficulty.
    public var start = 5
    /// The item budget (start items included).
    public var maxItems = 100
    /// Stop as soon as the ability's standard error is at most this (nil: budget only).
    public var seTarget: Double?
    /// Stop as soon as every benchmark's full-score standard deviation
    /// (`BenchmarkScore.sd`: the spread over θ plus the unanswered items'
    /// own noise) is at most this (nil: no such rule). What a user needs is
    /// the score, and a benchmark whose items barely depend on θ is known
    /// long before θ is; one whose score has a large noise floor may never
    /// reach the target and then stops at the budget.
    public var scoreSETarget: Double?
    public init(start: Int = 5, maxItems: Int = 100, seTarget: Double? = nil, scoreSETarget: Double? = nil) {
        self.start = start; self.maxItems = maxItems; self.seTarget = seTarget; self.scoreSETarget = scoreSETarget
    }
}

/// Why an adaptive test ended.
public enum StopReason: String, Sendable {
    /// The ability's standard error reached the target.
    case seTarget = "se_target"
    /// Every benchmark's score standard deviation reached its target.
    case scoreSETarget = "score_se_target"
    /// The item budget was used up.
    case budget
    /// The model had no further answered, informative item to give.
    case exhausted
}

/// One model's adaptive test: the items given, in order, why it stopped,
/// and the final ability and full-benchmark scores.
public struct AdaptiveTestResult: Sendable {
    public var administered: [Int]
    public var stop: StopReason
    public var scored: ScoredModel
}

/// Computerized adaptive testing, simulated from a model's real responses.
///
/// The model "takes" the test by revealing, one at a time, the responses it
/// actually gave; only items it answered can be given. The test starts with
/// `start` items, the most informative at abilities spread over the prior
/// (its (i + ½)/start quantiles), so the first estimate does not hinge on a
/// guess; then, after each response, the ability is re-estimated (MAP with
/// the population prior, which keeps it finite after an all-correct start)
/// and the next item is the unused one with the largest Fisher information
/// at the current estimate (trials included for binomial data). It stops at
/// the first of: standard error ≤ `seTarget`, `maxItems` given, or no item
/// left. The final full-benchmark scores come from `ScorePredictor` with
/// the given items as the observed ones.
///
/// Why a precomputed ranking: choosing the next item is an arg-max over
/// thousands of items after every response. Items are ranked by information
/// once at every point of a θ grid (spacing 0.1); at an estimate, the
/// nearest point's ranking yields the first few available items, and the
/// exact information at the estimate decides among them.
///
/// K > 1: the next item is D-optimal at the current posterior
/// (`AdaptiveTest+Dimensions.swift`).
public final class AdaptiveTester: @unchecked Sendable {
    public let bank: ItemBank
    public let predictor: ScorePredictor
    public let prior: AbilityPrior
    public let options: AdaptiveTestOptions
    let gridLo = -8.0, gridStep = 0.1
    let gridCount: Int
    /// [gridCount × informative items]: informative items by decreasing information at each grid point.
    let ranking: [Int32]
    let informative: Int

    public init(bank: ItemBank, predictor: ScorePredictor, prior: AbilityPrior, options: AdaptiveTestOptions) {
        self.bank = bank; self.predictor = predictor; self.prior = prior; self.options = options
        let gridCount = bank.dims == 1 ? Int(2 * 8.0 / 0.1) + 1 : 0   // K > 1 ranks at the posterior instead
        self.gridCount = gridCount
        let items = (0..<bank.count).filter { bank.isInformative($0) }
        informative = items.count
        var ranking = [Int32](repeating: 0, count: gridCount * items.count)
        let lo = -8.0, step = 0.1, n = items.count
        ranking.withUnsafeMutableBufferPointer { buffer in
            let r = buffer
            DispatchQueue.concurrentPerform(iterations: gridCount) { q in
                let theta = lo + Double(q) * step
                let info = items.map { bank.information($0, theta) }
                let order = items.indices.sorted { info[$0] > info[$1] }
                for (i, e) in order.enumerated() { r[q * n + i] = Int32(items[e]) }
            }
        }
        self.ranking = ranking
    }

    /// Runs the test for one model.
    /// - Parameters:
    ///   - responses: the model's response to every bank item (NaN = not answered).
    ///   - trials: trial counts per bank item for binomial data, nil for one each.
    public func run(responses: [Float], trials: [Float]? = nil, level: Double = 0.9) -> AdaptiveTestResult {
        precondition(responses.count == bank.count)
        if bank.dims > 1 { return runMultidimensional(responses: responses, trials: trials, level: level) }
        var answered = AnsweredItems(responses: responses, trials: trials)
        func next(at theta: Double) -> Int? {
            let q = min(max(Int(((theta - gridLo) / gridStep).rounded()), 0), gridCount - 1)
            var best: Int?, bestInfo = -Double.infinity, seen = 0
            for i in 0..<informative {
                let j = Int(ranking[q * informative + i])
                guard answered.isAvailable(j) else { continue }
                let info = bank.information(j, theta) * (trials.map { Double($0[j]) } ?? 1)
                if info > bestInfo { bestInfo = info; best = j }
                seen += 1
                if seen == 8 { break }
            }
            return best
        }

        let budget = max(options.maxItems, 0)
        let starting = min(max(options.start, 0), budget)
        for i in 0..<starting {
            let target = prior.mean + prior.sd * normalQuantile((Double(i) + 0.5) / Double(starting))
            guard let j = next(at: target) else { break }
            answered.give(j)
        }
        var stop = StopReason.exhausted
        var estimate = AbilityEstimator.posteriorMode(answered.observations, bank: bank, prior: prior)
        while true {
            if let target = options.seTarget, !answered.observations.isEmpty, estimate.se <= target { stop = .seTarget; break }
            if let target = options.scoreSETarget, !answered.observations.isEmpty,
               predictor.score(answered.observations, prior: prior, level: level, start: estimate.theta).scores.allSatisfy({ $0.sd <= target }) {
                stop = .scoreSETarget; break
            }
            if answered.observations.count >= budget { stop = .budget; break }
            guard let j = next(at: estimate.theta) else { stop = .exhausted; break }
            answered.give(j)
            estimate = AbilityEstimator.posteriorMode(answered.observations, bank: bank, prior: prior, start: estimate.theta)
        }
        let scored = predictor.score(answered.observations, prior: prior, level: level, start: estimate.theta)
        return AdaptiveTestResult(administered: answered.observations.map(\.item), stop: stop, scored: scored)
    }
}
