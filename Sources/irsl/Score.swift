import ArgumentParser
import Foundation
import IRT
import Selection
import Store

extension IRSL {
    struct Score: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Estimate new models' abilities and full-benchmark scores from the items they answered.",
            discussion: """
            RESPONSES holds models that were not in the fit; its items are matched to the fit's by id.
            With --items only the subset's items count as answered. Ability: MAP under the calibrated
            population prior (theta, theta_se), or the MLE where it exists with --estimator mle. Score:
            observed items count as themselves, the rest are predicted; the estimate is the posterior mean
            of the full score and the interval adds the sampling noise of the unobserved responses.
            Output columns: model,benchmark,estimate,lower,upper,theta,theta_se,items_used
            (items_used: the benchmark's items that were used). With --train FILE (models whose full responses
            are known, normally the fit's input) the estimate is calibrated per benchmark: the IRT prediction
            combined with the answered items' own mean, then a line to the full score, both fitted on FILE's
            models scored from the same items; the interval is then ± z × the leave-one-out error.
            K > 1 fits: the ability is the K-dimensional MAP under the population's N(mean, covariance), the
            score is averaged over that posterior, and the columns theta,theta_se become theta_1..theta_K,
            theta_se_1..theta_se_K; --estimator mle is K = 1 only. See docs/selection.md.
            """)

        @Argument(help: "Fit output file (irsl fit, any K).") var fit: String
        @Argument(help: "Response file of the models to score (docs/format.md).") var responses: String
        @Option(help: "Subset CSV (an item column, e.g. from irsl select): only these items are used.") var items: String?
        @Option(help: "Response file of models with known full scores (normally the fit's input): calibrate the scores on them.") var train: String?
        @Option(help: "Coverage of the score interval.") var level = 0.9
        @Option(help: "Ability estimate: map (posterior mode, population prior) or mle (maximum likelihood where it exists, else MAP).") var estimator: ScoreEstimator = .map
        @Option(name: .shortAndLong, help: "Scores CSV to write.") var output: String

        func validate() throws {
            try SelectionIO.checkLevel(level)
        }

        func run() throws {
            let (result, bank) = try ItemBank.read(fit: fit)
            try SelectionIO.refuseScalarAbility(bank, fit: fit, [("--estimator mle", estimator == .mle)])
            let source = try ResponseSource(path: responses, bank: bank)
            if bank.response.needsTrials && !source.readsTrials {
                print("note: the fit is binomial but \(responses) has no /trials; every response counts as one trial")
            }
            var allowed: [Bool]?
            if let items {
                var mask = [Bool](repeating: false, count: bank.count)
                for j in try readSubset(items, bank: bank) { mask[j] = true }
                allowed = mask
            }
            let predictor = ScorePredictor(bank: bank)
            let prior = bank.prior
            var calibration: BenchmarkCalibrations?
            if let train {
                let c = try BenchmarkCalibrations.fit(training: try ResponseSource(path: train, bank: bank), bank: bank,
                                                      predictor: predictor, allowed: allowed)
                calibration = c
                print("calibrated on the models of \(train): weight of the IRT prediction, line, leave-one-out RMSE per benchmark")
                for (b, k) in c.benchmarks.enumerated() {
                    print(String(format: "  %@: λ %.2f, %.4f + %.4f·c, %.2f points (%d models)", bank.benchmarkNames[b] as NSString,
                                 k.weight, k.intercept, k.slope, 100 * k.residualSD, k.models))
                }
            }
            let z = normalQuantile(0.5 + level / 2)
            let useMLE = estimator == .mle
            let names = source.info.modelNames
            let fitted = Set(result.modelNames)
            var results = [ScoredModel?](repeating: nil, count: names.count)
            try source.forEachBlock { rows, values, trials in
                let n = bank.count
                let block = parallelMap(rows.count) { r -> ScoredModel in
                    let obs = ResponseSource.observations(values, trials, row: r, items: n, allowed: allowed)
                    var scored = predictor.score(obs, prior: prior, level: level, useMLE: useMLE)
                    if let calibration {
                        var sum = [Double](repeating: 0, count: bank.benchmarkCount), count = sum
                        for o in obs where bank.isUsable(o.item) { sum[bank.benchmarkOfItem[o.item]] += o.y; count[bank.benchmarkOfItem[o.item]] += 1 }
                        for i in scored.scores.indices {
                            let b = scored.scores[i].benchmark, k = calibration.benchmarks[b]
                            guard k.models > 0 else { continue }
                            let e = k.apply(irt: scored.scores[i].estimate, mean: count[b] > 0 ? sum[b] / count[b] : .nan)
                            scored.scores[i].estimate = e
                            scored.scores[i].sd = k.residualSD
                            scored.scores[i].lower = max(e - z * k.residualSD, 0)
                            scored.scores[i].upper = min(e + z * k.residualSD, 1)
                        }
                    }
                    return scored
                }
                for (r, s) in block.enumerated() { results[rows.lowerBound + r] = s }
            }
            var csv = CSVWriter()
            csv.row(["model", "benchmark", "estimate", "lower", "upper"] + SelectionIO.abilityColumns(bank.dims) + ["items_used"])
            var mleCount = 0, used = 0
            for (m, name) in names.enumerated() {
                let s = results[m]!
                if s.ability.mle != nil { mleCount += 1 }
                used += s.ability.itemsUsed
                let theta = s.usedMLE ? s.ability.mle! : s.ability.theta
                let se = s.usedMLE ? s.ability.mleSE! : s.ability.se
                for score in s.scores {
                    csv.row([name, bank.benchmarkNames[score.benchmark]]
                            + ([score.estimate, score.lower, score.upper] + SelectionIO.abilityValues(s.ability, theta: theta, se: se)).map(CSVWriter.number)
                            + [String(score.itemsUsed)])
                }
            }
            try writeTextAtomically(output, csv.text)
            let overlap = names.filter { fitted.contains($0) }.count
            print("irsl score: \(names.count) models, \(source.matchedItems) of the fit's \(bank.count) items in \(responses)"
                  + (items.map { ", restricted to the subset \($0)" } ?? ""))
            print(String(format: "  %.1f items used per model on average; the MLE exists for %d of %d models; %@ abilities; %.0f%% intervals",
                         Double(used) / Double(max(names.count, 1)), mleCount, names.count,
                         (useMLE ? "MLE (MAP where it does not exist)" : "MAP") as NSString, 100 * level))
            if overlap > 0 { print("  note: \(overlap) of these models were in the fit (scored from \(responses) all the same)") }
            print("wrote \(output)")
        }
    }
}
