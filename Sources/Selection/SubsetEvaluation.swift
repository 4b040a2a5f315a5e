import Foundation
import IRT
import Store

/// One line of the comparison: a method's error on one benchmark (or `all`).
public struct EvaluationRow: Sendable, Equatable {
    /// `fisher`, `stratified`, `random` or `cat`.
    public var method: String
    /// A benchmark name, or `all` for every (model, benchmark) pair together.
    public var benchmark: String
    /// Root mean squared error of the full-score estimate, as a fraction.
    public var rmse: Double
    /// Mean absolute error, as a fraction.
    public var mae: Double
    /// (model, benchmark) pairs compared.
    public var pairs: Int
}

/// One set of models (the test or the train models of a split) whose full
/// responses are known: their true full scores, and their estimates from a
/// subset or an adaptive test (`PopulationEvaluation` compares the methods).
///
/// The truth of benchmark b is the model's mean response over the
/// benchmark's items it answered. Each method sees only its subset (or, for
/// CAT, the items it chose to give) and scores the model with
/// `ScorePredictor`; `errors` gives RMSE and MAE against the truth.
public struct SubsetEvaluator: @unchecked Sendable {
    public let bank: ItemBank
    public let predictor: ScorePredictor
    /// [models × bank items], raw responses of the test models (NaN = missing).
    public let responses: [Float]
    public let trials: [Float]?
    public let models: Int
    public let prior: AbilityPrior

    public init(bank: ItemBank, predictor: ScorePredictor? = nil, responses: [Float], trials: [Float]?) {
        precondition(responses.count % max(bank.count, 1) == 0)
        self.bank = bank
        self.predictor = predictor ?? ScorePredictor(bank: bank)
        self.responses = responses
        self.trials = trials
        models = responses.count / max(bank.count, 1)
        prior = bank.prior
    }

    /// [models × benchmarks]: each test model's mean response over the
    /// benchmark's items it answered (NaN when it answered none).
    public func truth() -> [Double] {
        let n = bank.count, nb = bank.benchmarkCount
        var out = [Double](repeating: .nan, count: models * nb)
        for m in 0..<models {
            var sum = [Double](repeating: 0, count: nb), count = sum
            for j in 0..<n where bank.isUsable(j) {
                let y = responses[m * n + j]
                if y.isNaN { continue }
                sum[bank.benchmarkOfItem[j]] += Double(y); count[bank.benchmarkOfItem[j]] += 1
            }
            for b in 0..<nb where count[b] > 0 { out[m * nb + b] = sum[b] / count[b] }
        }
        return out
    }

    /// [models × benchmarks] estimates from the items in `subset` only.
    public func estimates(subset: [Int]) -> [Double] {
        var allowed = [Bool](repeating: false, count: bank.count)
        for j in subset { allowed[j] = true }
        return perModel { m in
            let obs = ResponseSource.observations(self.responses, self.trials, row: m, items: self.bank.count, allowed: allowed)
            return self.predictor.score(obs, prior: self.prior).scores.map(\.estimate)
        }
    }

    /// [models × benchmarks] estimates after an adaptive test with `budget` items.
    public func adaptiveEstimates(budget: Int, start: Int = 5) -> [Double] {
        let tester = AdaptiveTester(bank: bank, predictor: predictor, prior: prior,
                                    options: AdaptiveTestOptions(start: start, maxItems: budget, seTarget: nil))
        let n = bank.count
        return perModel { m in
            let row = Array(self.responses[(m * n)..<((m + 1) * n)])
            let t = self.trials.map { Array($0[(m * n)..<((m + 1) * n)]) }
            return tester.run(responses: row, trials: t).scored.scores.map(\.estimate)
        }
    }

    /// Runs `body` for every model on all cores; concatenates the per-benchmark results.
    func perModel(_ body: (Int) -> [Double]) -> [Double] {
        parallelRows(models, width: bank.benchmarkCount, body)
    }

    /// RMSE and MAE per benchmark and overall (`all`), over pairs with a truth.
    public func errors(method: String, estimates: [Double], truth: [Double]) -> [EvaluationRow] {
        let nb = bank.benchmarkCount
        var sq = [Double](repeating: 0, count: nb + 1), ab = sq, count = sq
        for m in 0..<models {
            for b in 0..<nb {
                let t = truth[m * nb + b], e = estimates[m * nb + b]
                guard t.isFinite, e.isFinite else { continue }
                for slot in [b, nb] { sq[slot] += (e - t) * (e - t); ab[slot] += abs(e - t); count[slot] += 1 }
            }
        }
        return (0...nb).map { s in
            EvaluationRow(method: method, benchmark: s == nb ? "all" : bank.benchmarkNames[s],
                          rmse: count[s] > 0 ? (sq[s] / count[s]).squareRoot() : .nan,
                          mae: count[s] > 0 ? ab[s] / count[s] : .nan, pairs: Int(count[s]))
        }
    }
}

/// Which models calibrate and which are held out, from a split file
/// (Store's `SplitFile`: columns `model,role`, role `train` or `test`; a
/// `fold` column is ignored here). Models the split does not name take no part.
public struct ModelSplit: Sendable, Equatable {
    /// Row indices in the response file, in file order.
    public var train: [Int]
    public var test: [Int]

    public init(train: [Int], test: [Int]) { self.train = train; self.test = test }

    /// Reads the split and resolves its model names against `modelNames`
    /// (the response file's `/models/name`). Errors name the file, the
    /// column and the line: unknown roles, unknown or repeated models, and
    /// a split without two train models or a test model.
    public static func read(_ path: String, modelNames: [String], responsesPath: String) throws -> ModelSplit {
        let split = try SplitFile(path: path, modelNames: modelNames, responsesPath: responsesPath)
        var seen = Set<Int>(), train: [Int] = [], test: [Int] = []
        for e in split.entries {
            guard seen.insert(e.model).inserted else {
                throw StoreError(file: path, field: "column \(split.modelColumn), line \(e.line)", message: "model '\(modelNames[e.model])' appears twice")
            }
            switch e.role {
            case .train: train.append(e.model)
            case .test: test.append(e.model)
            }
        }
        guard train.count >= 2 else { throw StoreError(file: path, field: "column \(split.roleColumn)", message: "expected at least 2 train models, found \(train.count)") }
        guard !test.isEmpty else { throw StoreError(file: path, field: "column \(split.roleColumn)", message: "expected at least one test model, found none") }
        return ModelSplit(train: train.sorted(), test: test.sorted())
    }
}
