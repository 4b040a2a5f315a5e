import Foundation

/// A method's accuracy on the held-out models, per benchmark (or `all`).
public struct MethodAccuracy: Sendable, Equatable {
    public var method: String
    public var benchmark: String
    /// RMSE and MAE of the full-score estimate (fractions).
    public var rmse: Double
    public var mae: Double
    /// (model, benchmark) pairs compared.
    public var count: Int
    /// Fraction of test-model pairs ordered as their full scores order them
    /// (`DecisionAccuracy`); `all` pools the pairs of every benchmark.
    public var decision: Double
    /// The same over the pairs of `--pairs` (NaN without).
    public var listed: Double
}

/// `irsl evaluate-subset` with the training models put to use.
///
/// Every subset is scored two ways: `ScorePredictor` alone (the IRT
/// reconstruction, methods suffixed `-irt`) and, the default, calibrated
/// per benchmark on the training models (`ScoreCalibration`: the IRT
/// prediction combined with the subset's own mean, then a line to the full
/// score). The training models are scored from the same subset as the test
/// models, so the calibration sees exactly the estimates it will correct.
/// Methods: `reconstruction` (`ReconstructionSelector`, on the training
/// models), `fisher`, `stratified`, `random` (mean over draws) and `cat`
/// (adaptive, the same total budget, calibrated from the training models'
/// own adaptive tests).
public struct PopulationEvaluation: @unchecked Sendable {
    public let bank: ItemBank
    public let test: SubsetEvaluator
    public let train: SubsetEvaluator
    public let trainResponses: [Float]
    let testTruth: [Double], trainTruth: [Double]
    /// Pairs of test-model indices to decide (`--pairs`).
    public let pairs: [(Int, Int)]?

    public init(bank: ItemBank, train: [Float], trainTrials: [Float]?, test: [Float], testTrials: [Float]?,
                pairs: [(Int, Int)]? = nil) {
        self.bank = bank
        let predictor = ScorePredictor(bank: bank)
        self.test = SubsetEvaluator(bank: bank, predictor: predictor, responses: test, trials: testTrials)
        self.train = SubsetEvaluator(bank: bank, predictor: predictor, responses: train, trials: trainTrials)
        trainResponses = train
        testTruth = self.test.truth()
        trainTruth = self.train.truth()
        self.pairs = pairs
    }

    /// RMSE, MAE and decision accuracy of [test models × benchmarks] estimates.
    public func accuracy(method: String, estimates: [Double]) -> [MethodAccuracy] {
        let nb = bank.benchmarkCount, m = test.models
        let errors = test.errors(method: method, estimates: estimates, truth: testTruth)
        var correct = [Double](repeating: 0, count: nb + 1), counted = correct
        var listedCorrect = correct, listedCounted = correct
        for b in 0..<nb {
            let e = (0..<m).map { estimates[$0 * nb + b] }, t = (0..<m).map { testTruth[$0 * nb + b] }
            let d = DecisionAccuracy.allPairs(estimates: e, truth: t)
            correct[b] = d.correct; counted[b] = Double(d.pairs)
            correct[nb] += d.correct; counted[nb] += Double(d.pairs)
            if let pairs {
                let l = DecisionAccuracy.listed(pairs, estimates: e, truth: t)
                listedCorrect[b] = l.correct; listedCounted[b] = Double(l.pairs)
                listedCorrect[nb] += l.correct; listedCounted[nb] += Double(l.pairs)
            }
        }
        return errors.enumerated().map { s, row in
            MethodAccuracy(method: method, benchmark: row.benchmark, rmse: row.rmse, mae: row.mae, count: row.pairs,
                           decision: counted[s] > 0 ? correct[s] / counted[s] : .nan,
                           listed: listedCounted[s] > 0 ? listedCorrect[s] / listedCounted[s] : .nan)
        }
    }

    /// Test-model estimates from `subset`: the IRT reconstruction and the calibrated one.
    public func scores(subset: [Int]) -> (irt: [Double], calibrated: [Double], calibration: BenchmarkCalibrations) {
        var allowed = [Bool](repeating: false, count: bank.count)
        for j in subset { allowed[j] = true }
        let trainIRT = train.estimates(subset: subset)
        let trainMean = SubsetMeans.compute(train.responses, models: train.models, bank: bank, allowed: allowed)
        let calibration = BenchmarkCalibrations.fit(irt: trainIRT, mean: trainMean, truth: trainTruth, benchmarks: bank.benchmarkCount)
        let testIRT = test.estimates(subset: subset)
        let testMean = SubsetMeans.compute(test.responses, models: test.models, bank: bank, allowed: allowed)
        return (testIRT, calibration.apply(irt: testIRT, mean: testMean), calibration)
    }

    /// Adaptive tests of every model of `evaluator`: IRT estimates and the
    /// means of the administered items, both [models × benchmarks].
    func adaptive(_ evaluator: SubsetEvaluator, budget: Int, start: Int) -> (irt: [Double], mean: [Double]) {
        let tester = AdaptiveTester(bank: bank, predictor: evaluator.predictor, prior: bank.prior,
                                    options: AdaptiveTestOptions(start: start, maxItems: budget, seTarget: nil))
        let n = bank.count, nb = bank.benchmarkCount
        var irt = [Double](repeating: .nan, count: evaluator.models * nb), mean = irt
        let rows = parallelRows(evaluator.models, width: 2 * nb) { m -> [Double] in
            let row = Array(evaluator.responses[(m * n)..<((m + 1) * n)])
            let t = evaluator.trials.map { Array($0[(m * n)..<((m + 1) * n)]) }
            let result = tester.run(responses: row, trials: t)
            var sum = [Double](repeating: 0, count: nb), count = sum
            for j in result.administered { sum[bank.benchmarkOfItem[j]] += Double(row[j]); count[bank.benchmarkOfItem[j]] += 1 }
            return result.scored.scores.map(\.estimate) + (0..<nb).map { count[$0] > 0 ? sum[$0] / count[$0] : .nan }
        }
        for m in 0..<evaluator.models {
            for b in 0..<nb { irt[m * nb + b] = rows[m * 2 * nb + b]; mean[m * nb + b] = rows[m * 2 * nb + nb + b] }
        }
        return (irt, mean)
    }

    /// The training models' abilities: the calibration's, when the bank
    /// holds one per training model, else estimated from their responses.
    /// [models × K].
    public func trainTheta() -> [Double] {
        if bank.populationCount == train.models { return bank.populationTheta }
        let n = bank.count
        return parallelRows(train.models, width: bank.dims) { m in
            let obs = ResponseSource.observations(self.train.responses, self.train.trials, row: m, items: n)
            return self.bank.dims == 1 ? [AbilityEstimator.posteriorMode(obs, bank: self.bank, prior: self.bank.prior).theta]
                : MultidimensionalAbility.posteriorMode(obs, bank: self.bank).theta
        }
    }

    /// The whole comparison.
    public func run(perBenchmark n: Int, repeats: Int, seed: UInt64, selector: ItemSelector, start: Int = 5,
                    progress: (String) -> Void = { _ in }) -> [MethodAccuracy] {
        var rows: [MethodAccuracy] = []
        let reconstruction = ReconstructionSelector(bank: bank, responses: trainResponses, theta: trainTheta()).select(perBenchmark: n)
        let r = scores(subset: reconstruction)
        rows += accuracy(method: "reconstruction", estimates: r.calibrated)
        rows += accuracy(method: "reconstruction-irt", estimates: r.irt)
        progress("reconstruction: \(reconstruction.count) items scored")
        let discriminating = DiscriminatingSelector(bank: bank, responses: trainResponses).select(perBenchmark: n)
        let ds = scores(subset: discriminating)
        rows += accuracy(method: "discriminating", estimates: ds.calibrated)
        rows += accuracy(method: "discriminating-irt", estimates: ds.irt)
        let candidates = SelectionCandidate.standard(bank: bank, responses: trainResponses, theta: trainTheta(), perBenchmark: n,
                                                     selector: selector, seed: seed)
        let choice = CrossValidatedSelector(bank: bank, predictor: train.predictor, responses: trainResponses, trials: train.trials)
            .select(candidates: candidates)
        let auto = scores(subset: choice.items)
        rows += accuracy(method: "auto", estimates: auto.calibrated)
        rows += accuracy(method: "auto-irt", estimates: auto.irt)
        progress("auto: " + choice.summary(candidates) + "; held-out RMSE " + choice.heldOutSummary(candidates))
        for method in [SelectionMethod.fisher, .stratified] {
            let subset = selector.select(perBenchmark: n, method: method, seed: seed).map(\.item)
            let s = scores(subset: subset)
            rows += accuracy(method: method.rawValue, estimates: s.calibrated)
            rows += accuracy(method: method.rawValue + "-irt", estimates: s.irt)
            progress("\(method.rawValue): \(subset.count) items scored")
        }
        var random: [MethodAccuracy] = [], randomIRT: [MethodAccuracy] = []
        func add(_ into: inout [MethodAccuracy], _ draw: [MethodAccuracy]) {
            if into.isEmpty { into = draw; return }
            for i in into.indices {
                into[i].rmse += draw[i].rmse; into[i].mae += draw[i].mae
                into[i].decision += draw[i].decision; into[i].listed += draw[i].listed
            }
        }
        for k in 0..<max(repeats, 1) {
            let subset = selector.select(perBenchmark: n, method: .random, seed: seed &+ UInt64(k) &* 7919).map(\.item)
            let s = scores(subset: subset)
            add(&random, accuracy(method: "random", estimates: s.calibrated))
            add(&randomIRT, accuracy(method: "random-irt", estimates: s.irt))
        }
        let draws = Double(max(repeats, 1))
        for i in random.indices {
            for v in [\MethodAccuracy.rmse, \.mae, \.decision, \.listed] { random[i][keyPath: v] /= draws; randomIRT[i][keyPath: v] /= draws }
        }
        rows += random + randomIRT
        progress("random: \(max(repeats, 1)) draws scored")
        let budget = n * bank.itemsOfBenchmark.filter { !$0.isEmpty }.count
        let trainCAT = adaptive(train, budget: budget, start: start), testCAT = adaptive(test, budget: budget, start: start)
        let catCalibration = BenchmarkCalibrations.fit(irt: trainCAT.irt, mean: trainCAT.mean, truth: trainTruth,
                                                       benchmarks: bank.benchmarkCount)
        rows += accuracy(method: "cat", estimates: catCalibration.apply(irt: testCAT.irt, mean: testCAT.mean))
        rows += accuracy(method: "cat-irt", estimates: testCAT.irt)
        progress("cat: budget \(budget) items per model")
        return rows
    }
}
