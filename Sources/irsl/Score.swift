import ArgumentParser
import Foundation
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
            (items_used: the benchmark's items that were used). See docs/selection.md.
            """)

        @Argument(help: "Fit output file (irsl fit, K = 1).") var fit: String
        @Argument(help: "Response file of the models to score (docs/format.md).") var responses: String
        @Option(help: "Subset CSV (an item column, e.g. from irsl select): only these items are used.") var items: String?
        @Option(help: "Coverage of the score interval.") var level = 0.9
        @Option(help: "map (posterior mode, population prior) or mle (maximum likelihood where it exists, else MAP).") var estimator = "map"
        @Option(name: .shortAndLong, help: "Scores CSV to write.") var output: String

        func validate() throws {
            try SelectionIO.checkLevel(level)
            guard estimator == "map" || estimator == "mle" else { throw ValidationError("--estimator: expected map or mle; got '\(estimator)'") }
        }

        func run() throws {
            let (result, bank) = try ItemBank.read(fit: fit)
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
            let useMLE = estimator == "mle"
            let names = source.info.modelNames
            let fitted = Set(result.modelNames)
            var results = [ScoredModel?](repeating: nil, count: names.count)
            try source.forEachBlock { rows, values, trials in
                let n = bank.count
                var block = [ScoredModel?](repeating: nil, count: rows.count)
                block.withUnsafeMutableBufferPointer { out in
                    let o = out
                    DispatchQueue.concurrentPerform(iterations: rows.count) { r in
                        let obs = ResponseSource.observations(values, trials, row: r, items: n, allowed: allowed)
                        o[r] = predictor.score(obs, prior: prior, level: level, useMLE: useMLE)
                    }
                }
                for (r, s) in block.enumerated() { results[rows.lowerBound + r] = s }
            }
            var csv = CSVWriter()
            csv.row(["model", "benchmark", "estimate", "lower", "upper", "theta", "theta_se", "items_used"])
            var mleCount = 0, used = 0
            for (m, name) in names.enumerated() {
                let s = results[m]!
                if s.ability.mle != nil { mleCount += 1 }
                used += s.ability.itemsUsed
                let theta = s.usedMLE ? s.ability.mle! : s.ability.theta
                let se = s.usedMLE ? s.ability.mleSE! : s.ability.se
                for score in s.scores {
                    csv.row([name, bank.benchmarkNames[score.benchmark]]
                            + [score.estimate, score.lower, score.upper, theta, se].map(CSVWriter.number)
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
