import MessagePassing
import Foundation
import IRT
import Store

/// Model choice by held-out prediction: `irsl crossvalidate` and
/// `irsl fit --select cv`.
///
/// Every observed entry is assigned to one of F folds by a hash of its
/// (global row, column, seed), so the assignment does not depend on the
/// number of ranks. For fold f the entries of fold f are hidden, every
/// candidate (item model × K) is fitted on the rest exactly as `irsl fit`
/// would fit it (distributed, priors and all), and the hidden entries are
/// scored by their predicted mean P = g + (1 − g)σ(a·θ + d):
///
/// - log-loss −[y log P + (1 − y) log(1 − P)] (the cross-entropy; for 0/1
///   entries the usual log-loss), the selection criterion: a proper score of
///   the mean that is comparable across likelihoods and K;
/// - Brier (P − y)²;
/// - the held-out log-likelihood under the fit's own likelihood (comparable
///   only between candidates of one likelihood).
///
/// Why not AIC/BIC: joint ML counts one incidental ability per model, which
/// makes AIC lenient (it preferred K = 3 on K = 2 data) and BIC's penalty
/// arbitrary; held-out prediction is what a user means by "the better model".
public struct CrossValidation {
    public struct Candidate: Hashable, CustomStringConvertible {
        public var model: ItemModel
        public var dims: Int
        public init(model: ItemModel, dims: Int) { self.model = model; self.dims = dims }
        public var description: String { "\(model.rawValue) K=\(dims)" }
    }

    /// Held-out scores of one candidate: means over folds, and their standard
    /// errors (sd across folds / √F).
    public struct Score {
        public var candidate: Candidate
        public var logLoss: Double, logLossSE: Double
        public var brier: Double, brierSE: Double
        public var logLikelihood: Double, logLikelihoodSE: Double
        public var entries: Int
        public var converged: Int
    }

    public var input: String
    public var options: FitOptions
    public var responseChoice = "auto"
    public var candidates: [Candidate]
    public var folds = 5
    public var seed: UInt64 = 0

    public init(input: String, options: FitOptions, candidates: [Candidate]) {
        self.input = input; self.options = options; self.candidates = candidates
    }

    /// The fold of entry (row, column): a splitmix hash, uniform over folds.
    @inline(__always)
    public static func fold(row: Int, column: Int, items: Int, folds: Int, seed: UInt64) -> Int {
        var z = UInt64(row) &* UInt64(items) &+ UInt64(column) &+ seed &* 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        return Int(z % UInt64(folds))
    }

    /// Runs every fold × candidate; every rank returns the same scores.
    public func run(comm: Communicator, report: @escaping (String) -> Void) throws -> [Score] {
        let say: (String) -> Void = { if comm.isRoot { report($0) } }
        guard folds >= 2 else { throw FitError("--folds: expected at least 2, got \(folds)") }
        guard !candidates.isEmpty else { throw FitError("crossvalidate: no candidate models") }
        let info = try ResponseFileInfo.read(input)
        try CalibrationJob.checkMetadata(info, ranks: comm.size)
        var base = options
        base.response = try CalibrationJob.resolve(responseChoice, kind: info.kind, declared: info.likelihood, path: input)
        for c in candidates {
            var o = base; o.model = c.model; o.dims = c.dims
            try o.validate()
        }
        let floors = try CalibrationJob.floors(info, options: base, path: input)
        let part = RowPartition(rows: info.models, parts: comm.size, index: comm.rank)
        var full = try Shard.load(input, info: info, rows: part.range, needTrials: base.response.needsTrials)
        try full.prepare(for: base.response, path: input, itemIDs: info.itemIDs)
        let n = info.items
        // The raw values of the hidden entries are scored, not the censored/clamped copies.
        let raw = try Shard.load(input, info: info, rows: part.range, needTrials: false).responses
        say("irsl crossvalidate: \(info.models) models × \(info.items) items, \(folds) folds, \(base.response.rawValue) likelihood, candidates: \(candidates.map(\.description).joined(separator: ", "))")

        var perFold = [[Double]](repeating: [], count: candidates.count * 3)   // loss, brier, loglik per fold
        var entries = [Int](repeating: 0, count: candidates.count)
        var converged = [Int](repeating: 0, count: candidates.count)
        for f in 0..<folds {
            var train = full
            var hidden: [Int] = []
            for r in 0..<train.rows {
                for j in 0..<n where !train.responses[r * n + j].isNaN
                    && Self.fold(row: part.range.lowerBound + r, column: j, items: n, folds: folds, seed: seed) == f {
                    hidden.append(r * n + j)
                    train.responses[r * n + j] = .nan
                }
            }
            try train.prepare(for: base.response, path: input, itemIDs: info.itemIDs)
            for (ci, c) in candidates.enumerated() {
                var o = base; o.model = c.model; o.dims = c.dims
                let fitted = try calibrate(CalibrationData(shard: train, totalModels: info.models, itemIDs: info.itemIDs,
                                                           itemBenchmarks: info.benchmarks, floors: floors),
                                           options: o, comm: comm)
                let summary = fitted.summary
                if summary.converged { converged[ci] += 1 }
                var sums = Self.score(hidden: hidden, raw: raw, shard: full, fitted: fitted, response: o.response)
                comm.allreduceSum(&sums)
                let count = max(sums[3], 1)
                perFold[ci * 3].append(sums[0] / count)
                perFold[ci * 3 + 1].append(sums[1] / count)
                perFold[ci * 3 + 2].append(sums[2] / count)
                entries[ci] += Int(sums[3])
                say(String(format: "fold %d/%d  %-10@  log-loss %.5f  Brier %.5f  (%d iterations%@)", f + 1, folds, c.description,
                           sums[0] / count, sums[1] / count, summary.iterations, summary.converged ? "" : ", not converged"))
            }
        }
        func meanSE(_ v: [Double]) -> (Double, Double) {
            let m = v.reduce(0, +) / Double(v.count)
            let s2 = v.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(max(v.count - 1, 1))
            return (m, (s2 / Double(v.count)).squareRoot())
        }
        return candidates.indices.map { ci in
            let (l, lse) = meanSE(perFold[ci * 3]), (b, bse) = meanSE(perFold[ci * 3 + 1]), (ll, llse) = meanSE(perFold[ci * 3 + 2])
            return Score(candidate: candidates[ci], logLoss: l, logLossSE: lse, brier: b, brierSE: bse,
                         logLikelihood: ll, logLikelihoodSE: llse, entries: entries[ci], converged: converged[ci])
        }
    }

    /// This rank's sums over its hidden entries: log-loss, Brier, held-out
    /// log-likelihood, count.
    static func score(hidden: [Int], raw: [Float], shard: Shard, fitted: CalibrationResult, response: ResponseModel) -> [Double] {
        let items = fitted.items, theta = fitted.theta
        let n = shard.items, k = items.dims
        var loss = 0.0, brier = 0.0, loglik = 0.0
        for index in hidden {
            let r = index / n, j = index % n
            var eta = items.d[j]
            for c in 0..<k { eta += items.a[j * k + c] * theta[r * k + c] }
            let y = Double(raw[index])
            let p = min(max(ItemResponse(eta: eta, floor: items.g[j]).p, 1e-6), 1 - 1e-6)
            loss -= y * log(p) + (1 - y) * log(1 - p)
            brier += (p - y) * (p - y)
            let b = Int(items.benchmarkOfItem[j])
            let phi = items.phi[b]
            let trials = shard.trials.map { Double($0[index]) } ?? 1
            let yy = Double(shard.responses[index])
            switch response {
            case .beta:
                loglik += BetaLikelihood.terms(y: yy, trials: 1, eta: eta, floor: items.g[j], phi: phi, phiTerms: GammaTerms(phi)).logLikelihood
            case .bernoulli, .binomial:
                loglik += BinomialLikelihood.terms(y: yy, trials: trials, eta: eta, floor: items.g[j], phi: 1, phiTerms: GammaTerms(1)).logLikelihood
            case .betaBinomial:
                loglik += BetaBinomialLikelihood.terms(y: yy, trials: trials, eta: eta, floor: items.g[j], phi: phi, phiTerms: GammaTerms(phi)).logLikelihood
            }
        }
        return [loss, brier, loglik, Double(hidden.count)]
    }

    /// Every (model, K) pair of two comma-separated lists; 1PL only with K = 1.
    public static func candidates(models: String, dims: String) throws -> [Candidate] {
        let ms = try models.split(separator: ",").map { text -> ItemModel in
            guard let m = ItemModel(rawValue: text.trimmingCharacters(in: .whitespaces)) else {
                throw FitError("--model: expected 1pl or 2pl (or a list such as 1pl,2pl); got '\(text)'")
            }
            return m
        }
        let ks = try dims.split(separator: ",").map { text -> Int in
            guard let k = Int(text.trimmingCharacters(in: .whitespaces)), k >= 1 else {
                throw FitError("--dims: expected K ≥ 1 or a list such as 1,2,3; got '\(text)'")
            }
            return k
        }
        var out: [Candidate] = []
        for m in ms { for k in ks where m == .twoPL || k == 1 { out.append(Candidate(model: m, dims: k)) } }
        guard !out.isEmpty else { throw FitError("--model/--dims: no candidate (1pl has one dimension)") }
        return out
    }

    /// The candidate with the lowest held-out log-loss.
    public static func best(_ scores: [Score]) -> Score { scores.min { $0.logLoss < $1.logLoss }! }

    /// The table `crossvalidate` prints and `fit --select cv` shows.
    public static func table(_ scores: [Score]) -> [String] {
        let best = Self.best(scores).candidate
        var lines = ["candidate      log-loss (SE)          Brier (SE)             held-out loglik/entry (SE)  folds converged"]
        for s in scores {
            lines.append(String(format: "%-12@  %.5f (%.5f)    %.5f (%.5f)    %12.5f (%.5f)        %d%@",
                                s.candidate.description, s.logLoss, s.logLossSE, s.brier, s.brierSE,
                                s.logLikelihood, s.logLikelihoodSE, s.converged, s.candidate == best ? "   ← best" : ""))
        }
        return lines
    }

    /// CSV: candidate, model, dims, log_loss, log_loss_se, brier, brier_se, loglik, loglik_se, entries.
    public static func csv(_ scores: [Score]) -> String {
        var text = "candidate,model,dims,log_loss,log_loss_se,brier,brier_se,loglik_per_entry,loglik_se,entries,folds_converged\n"
        for s in scores {
            text += "\(s.candidate.model.rawValue)-K\(s.candidate.dims),\(s.candidate.model.rawValue),\(s.candidate.dims),"
                + [s.logLoss, s.logLossSE, s.brier, s.brierSE, s.logLikelihood, s.logLikelihoodSE].map { String($0) }.joined(separator: ",")
                + ",\(s.entries),\(s.converged)\n"
        }
        return text
    }
}
