import Foundation

/// One way of choosing a subset, as `CrossValidatedSelector` tries it: from
/// the training rows it is given (indices into the selector's rows) to the
/// chosen items of every benchmark.
public struct SelectionCandidate: Sendable {
    public var name: String
    public var choose: @Sendable ([Int]) -> [Int]

    public init(name: String, choose: @escaping @Sendable ([Int]) -> [Int]) {
        self.name = name
        self.choose = choose
    }

    /// The candidates of `irsl select --method auto`, the default first (`theta`: [rows × K]):
    /// discriminating and reconstruction (which learn from the rows they are given), fisher,
    /// stratified and `randomDraws` random subsets (which do not).
    public static func standard(bank: ItemBank, responses: [Float], theta: [Double], perBenchmark n: Int,
                                selector: ItemSelector, seed: UInt64, randomDraws: Int = 2) -> [SelectionCandidate] {
        let width = bank.count
        let rows = { @Sendable (list: [Int]) -> [Float] in
            var out: [Float] = []
            out.reserveCapacity(list.count * width)
            for r in list { out += responses[(r * width)..<((r + 1) * width)] }
            return out
        }
        var out = [
            SelectionCandidate(name: "discriminating") { list in
                DiscriminatingSelector(bank: bank, responses: rows(list)).select(perBenchmark: n)
            },
            SelectionCandidate(name: "reconstruction") { list in
                ReconstructionSelector(bank: bank, responses: rows(list),
                                       theta: list.flatMap { theta[($0 * bank.dims)..<(($0 + 1) * bank.dims)] }).select(perBenchmark: n)
            },
        ]
        for method in [SelectionMethod.fisher, .stratified] {
            let fixed = selector.select(perBenchmark: n, method: method, seed: seed).map(\.item)
            out.append(SelectionCandidate(name: method.rawValue) { _ in fixed })
        }
        for k in 0..<max(randomDraws, 0) {
            let fixed = selector.select(perBenchmark: n, method: .random, seed: seed &+ UInt64(k) &* 104_729).map(\.item)
            out.append(SelectionCandidate(name: "random\(k + 1)") { _ in fixed })
        }
        return out
    }
}

/// Chooses, per benchmark, the selection method whose subsets predict the
/// full score of held-out training models best: the default of
/// `irsl select` with `--responses`.
///
/// Why: on real matrices no single criterion wins everywhere (the shared
/// measurement in docs/selection.md: reconstruction is best on some
/// matrices and 1.25 × the baseline on others, fisher from 0.64 to 2.3 ×),
/// and which one wins depends on how well the item curves describe the
/// benchmark, something the training models can tell. The training models
/// are cut into `folds` folds; for every candidate and fold the subset is
/// chosen from the other folds' models only, those models are scored from
/// it and calibrated exactly as `irsl score --train` calibrates
/// (`BenchmarkCalibrations`), and the held-out fold's calibrated scores are
/// compared with its true full scores (`repeats` shuffles of the folds,
/// averaged per model). Per benchmark the first candidate (discriminating)
/// is kept unless another is better on the held-out models by more than one
/// standard error (`choose`); the winner is rerun on all training models.
/// The test models a user cares about never enter (nested: this is all
/// inside the training set). The item parameters are the fit's, which saw
/// every training model: a mild optimism for the IRT-based candidates.
public struct CrossValidatedSelector: @unchecked Sendable {
    /// The training models (responses, trials, scorer).
    public let training: SubsetEvaluator
    public var folds = 5
    /// Repeats of the k-fold split (different shuffles), averaged per model.
    public var repeats = 2
    public var seed: UInt64 = 1
    /// At most this many training models (evenly spaced) take part.
    public var maxModels = 1000

    public var bank: ItemBank { training.bank }
    public var predictor: ScorePredictor { training.predictor }
    public var responses: [Float] { training.responses }
    public var trials: [Float]? { training.trials }
    public var models: Int { training.models }

    public init(bank: ItemBank, predictor: ScorePredictor? = nil, responses: [Float], trials: [Float]?) {
        training = SubsetEvaluator(bank: bank, predictor: predictor, responses: responses, trials: trials)
    }

    public struct Choice: Sendable {
        /// The chosen items, benchmarks in bank order.
        public var items: [Int]
        /// Per benchmark, the index of the chosen candidate.
        public var chosen: [Int]
        /// [candidates × benchmarks] held-out RMSE of the calibrated score (NaN: no held-out score).
        public var heldOutRMSE: [[Double]]
    }

    public func select(candidates: [SelectionCandidate]) -> Choice {
        precondition(!candidates.isEmpty)
        let nb = bank.benchmarkCount
        let stride = max(1, (models + maxModels - 1) / maxModels)
        let rows = Array(Swift.stride(from: 0, to: models, by: stride))
        let k = min(folds, rows.count / 3)
        // [candidate][benchmark × rows]: each held-out model's squared error, averaged over the repeats (NaN: none).
        var squared = [[Double]](repeating: [Double](repeating: .nan, count: nb * rows.count), count: candidates.count)
        if k >= 2 {
            let truth = SubsetMeans.compute(responses, models: models, bank: bank, allowed: nil)
            let position = Dictionary(uniqueKeysWithValues: rows.enumerated().map { ($1, $0) })
            func gather(_ v: [Double], _ list: [Int], _ global: Bool) -> [Double] {
                list.flatMap { r in (0..<nb).map { b in v[(global ? r : position[r]!) * nb + b] } }
            }
            var rng = SplitMix(seed: seed, stream: 0xCF01D)
            for repeatIndex in 0..<max(repeats, 1) {
                var order = rows
                for i in order.indices.reversed() where i > 0 { order.swapAt(i, Int(rng.below(UInt64(i + 1)))) }
                var fold = [Int](repeating: -1, count: models)
                for (i, r) in order.enumerated() { fold[r] = i % k }
                for (c, candidate) in candidates.enumerated() {
                    for f in 0..<k {
                        let inside = rows.filter { fold[$0] != f }, outside = rows.filter { fold[$0] == f }
                        let (irt, mean) = scores(rows: rows, subset: candidate.choose(inside))
                        let calibration = BenchmarkCalibrations.fit(irt: gather(irt, inside, false), mean: gather(mean, inside, false),
                                                                    truth: gather(truth, inside, true), benchmarks: nb)
                        let predicted = calibration.apply(irt: gather(irt, outside, false), mean: gather(mean, outside, false))
                        let actual = gather(truth, outside, true)
                        for i in predicted.indices where actual[i].isFinite && predicted[i].isFinite {
                            let slot = (i % nb) * rows.count + position[outside[i / nb]]!
                            let e = (predicted[i] - actual[i]) * (predicted[i] - actual[i]) / Double(max(repeats, 1))
                            squared[c][slot] = (repeatIndex == 0 || squared[c][slot].isNaN ? 0 : squared[c][slot]) + e
                        }
                    }
                }
            }
        }
        let rmse = squared.map { e in
            (0..<nb).map { b -> Double in
                let v = e[(b * rows.count)..<((b + 1) * rows.count)].filter { $0.isFinite }
                return v.isEmpty ? .nan : (v.reduce(0, +) / Double(v.count)).squareRoot()
            }
        }
        let chosen = (0..<nb).map { b in Self.choose(benchmark: b, squared: squared, rows: rows.count) }
        var subsets: [Int: [Int]] = [:]
        for c in Set(chosen) { subsets[c] = candidates[c].choose(Array(0..<models)) }
        let items = (0..<nb).flatMap { b in subsets[chosen[b]]!.filter { bank.benchmarkOfItem[$0] == b } }
        return Choice(items: items, chosen: chosen, heldOutRMSE: rmse)
    }

    /// The one-standard-error rule: the first candidate (the default) unless
    /// another's held-out mean squared error is lower by more than one
    /// standard error of the paired difference over the held-out models;
    /// among those that are, the smallest. Why: with tens of training models
    /// the held-out errors of similar subsets differ by noise, and taking
    /// the minimum of several noisy estimates picks the luckiest, not the best.
    /// - Parameters: `squared`: [candidate][benchmark × rows] held-out squared errors (NaN: none).
    public static func choose(benchmark b: Int, squared: [[Double]], rows: Int) -> Int {
        let range = (b * rows)..<((b + 1) * rows)
        let mse = squared.map { e -> Double in
            let v = e[range].filter { $0.isFinite }
            return v.isEmpty ? .infinity : v.reduce(0, +) / Double(v.count)
        }
        var best = 0
        for c in squared.indices.dropFirst() where mse[c].isFinite && mse[c] < mse[best] {
            if mse[0].isFinite {
                let d = zip(squared[c][range], squared[0][range]).compactMap { $0.isFinite && $1.isFinite ? $0 - $1 : nil }
                guard d.count >= 3 else { continue }
                let mean = d.reduce(0, +) / Double(d.count)
                let sd = (d.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(d.count - 1)).squareRoot()
                guard mean + sd / Double(d.count).squareRoot() < 0 else { continue }
            }
            best = c
        }
        return best
    }

    /// [rows × benchmarks] IRT estimates and subset means of the listed rows, scored from `subset` only.
    func scores(rows: [Int], subset: [Int]) -> (irt: [Double], mean: [Double]) {
        let n = bank.count, nb = bank.benchmarkCount
        var allowed = [Bool](repeating: false, count: n)
        for j in subset { allowed[j] = true }
        var irt = [Double](repeating: .nan, count: rows.count * nb), mean = irt
        let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, rows.count))
        irt.withUnsafeMutableBufferPointer { ib in
            mean.withUnsafeMutableBufferPointer { mb in
                let io = ib, mo = mb
                DispatchQueue.concurrentPerform(iterations: workers) { w in
                    var sum = [Double](repeating: 0, count: nb), seen = sum
                    for i in Swift.stride(from: w, to: rows.count, by: workers) {
                        let obs = ResponseSource.observations(self.responses, self.trials, row: rows[i], items: n, allowed: allowed)
                        let s = self.predictor.score(obs, prior: self.bank.prior).scores
                        for b in 0..<nb { io[i * nb + b] = s[b].estimate; sum[b] = 0; seen[b] = 0 }
                        for o in obs where self.bank.isUsable(o.item) {
                            sum[self.bank.benchmarkOfItem[o.item]] += o.y; seen[self.bank.benchmarkOfItem[o.item]] += 1
                        }
                        for b in 0..<nb where seen[b] > 0 { mo[i * nb + b] = sum[b] / seen[b] }
                    }
                }
            }
        }
        return (irt, mean)
    }
}

extension CrossValidatedSelector.Choice {
    /// How many benchmarks each candidate won, e.g. "reconstruction ×2, random1 ×1".
    public func summary(_ candidates: [SelectionCandidate]) -> String {
        var wins = [Int](repeating: 0, count: candidates.count)
        for c in chosen { wins[c] += 1 }
        return candidates.indices.filter { wins[$0] > 0 }.map { "\(candidates[$0].name) ×\(wins[$0])" }.joined(separator: ", ")
    }

    /// Each candidate's held-out RMSE in points, averaged over the benchmarks, e.g. "discriminating 3.10, fisher 4.02".
    public func heldOutSummary(_ candidates: [SelectionCandidate]) -> String {
        candidates.indices.map { c in
            let v = heldOutRMSE[c].filter { $0.isFinite }
            return candidates[c].name + (v.isEmpty ? " -" : String(format: " %.2f", 100 * v.reduce(0, +) / Double(v.count)))
        }.joined(separator: ", ")
    }
}
