import ArgumentParser
import Foundation
import Selection
import Store

extension IRSL {
    struct Cat: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "cat",
            abstract: "Simulate computerized adaptive testing of each model from its real responses.",
            discussion: """
            Starts with --start items spread over difficulty, then gives the unused item with the most Fisher
            information at the current ability estimate (MAP, population prior), until the ability's standard
            error reaches --se-target, every benchmark's score standard deviation reaches --score-se-target, or --max-items items are used (or the model answered no further item).
            Output columns: model,benchmark,estimate,lower,upper,theta,theta_se,items_used,total_items,stop
            (items_used: items given from that benchmark; total_items: items given in all; stop: se_target,
            score_se_target, budget or exhausted). K > 1 fits: the next item is D-optimal at the current
            posterior (largest increase of log det of the posterior precision), --se-target applies to every
            dimension's posterior SD, and theta,theta_se become theta_1..theta_K,theta_se_1..theta_se_K.
            See docs/selection.md.
            """)

        @Argument(help: "Fit output file (irsl fit, any K).") var fit: String
        @Argument(help: "Response file whose models take the test (items matched by id).") var responses: String
        @Option(help: "Items given before the first estimate, spread over difficulty.") var start = 5
        @Option(help: "Item budget per model (start items included).") var maxItems = 100
        @Option(help: "Stop when the ability's standard error is at most this.") var seTarget: Double?
        @Option(help: "Stop when every benchmark's full-score standard deviation is at most this (a fraction, e.g. 0.02).") var scoreSETarget: Double?
        @Option(help: "Coverage of the score interval.") var level = 0.9
        @Option(name: .shortAndLong, help: "CSV to write.") var output: String

        func validate() throws {
            guard start >= 0 else { throw ValidationError("--start: expected 0 or more, got \(start)") }
            guard maxItems >= 1 else { throw ValidationError("--max-items: expected at least 1, got \(maxItems)") }
            if let s = seTarget, !(s > 0) { throw ValidationError("--se-target: expected a positive standard error, got \(s)") }
            if let s = scoreSETarget, !(s > 0 && s < 1) { throw ValidationError("--score-se-target: expected a standard deviation in (0, 1), got \(s)") }
            try SelectionIO.checkLevel(level)
        }

        func run() throws {
            let bank = try SelectionIO.bank(fit)
            let source = try ResponseSource(path: responses, bank: bank)
            if bank.response.needsTrials && !source.readsTrials {
                print("note: the fit is binomial but \(responses) has no /trials; every response counts as one trial")
            }
            let predictor = ScorePredictor(bank: bank)
            let tester = AdaptiveTester(bank: bank, predictor: predictor, prior: bank.prior,
                                        options: AdaptiveTestOptions(start: start, maxItems: maxItems, seTarget: seTarget, scoreSETarget: scoreSETarget))
            let names = source.info.modelNames
            var results = [AdaptiveTestResult?](repeating: nil, count: names.count)
            try source.forEachBlock { rows, values, trials in
                let n = bank.count
                let block = parallelMap(rows.count) { r in
                    tester.run(responses: Array(values[(r * n)..<((r + 1) * n)]),
                               trials: trials.map { Array($0[(r * n)..<((r + 1) * n)]) }, level: level)
                }
                for (r, s) in block.enumerated() { results[rows.lowerBound + r] = s }
            }
            var csv = CSVWriter()
            csv.row(["model", "benchmark", "estimate", "lower", "upper"] + SelectionIO.abilityColumns(bank.dims)
                    + ["items_used", "total_items", "stop"])
            var stops: [StopReason: Int] = [:]
            var itemsGiven = 0, seSum = 0.0
            for (m, name) in names.enumerated() {
                let r = results[m]!
                stops[r.stop, default: 0] += 1
                itemsGiven += r.administered.count
                let ability = r.scored.ability
                seSum += bank.dims == 1 ? ability.se
                    : (ability.seVector.reduce(0) { $0 + $1 * $1 } / Double(bank.dims)).squareRoot()
                for s in r.scored.scores {
                    csv.row([name, bank.benchmarkNames[s.benchmark]]
                            + ([s.estimate, s.lower, s.upper] + SelectionIO.abilityValues(ability, theta: ability.theta, se: ability.se))
                                .map(CSVWriter.number)
                            + [String(s.itemsUsed), String(r.administered.count), r.stop.rawValue])
                }
            }
            try writeTextAtomically(output, csv.text)
            let count = Double(max(names.count, 1))
            let seText: String = seTarget.map { ", SE target \($0)" } ?? ""
            let scoreText: String = scoreSETarget.map { ", score SD target \($0)" } ?? ""
            let targets = seText + scoreText
            print("irsl cat: \(names.count) models, \(bank.count) items in the bank (\(source.matchedItems) in \(responses)); start \(start), budget \(maxItems)"
                  + targets)
            print(String(format: "  %.1f items per model on average, mean final SE of θ%@ %.3f; stopped: ", Double(itemsGiven) / count,
                         (bank.dims == 1 ? "" : " (root mean over the dimensions)") as NSString, seSum / count)
                  + [StopReason.seTarget, .scoreSETarget, .budget, .exhausted].map { "\($0.rawValue) \(stops[$0, default: 0])" }.joined(separator: ", "))
            print("wrote \(output)")
        }
    }
}
