import ArgumentParser
import Foundation
import Selection
import Store

extension IRSL {
    struct Select: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Choose a small, informative subset of each benchmark's items from a fit.",
            discussion: """
            auto (the default when --responses gives models with full responses, normally the fit's input):
            per benchmark, the method below whose subsets predict held-out training models' full scores best
            (5-fold cross-validation over those models, calibrated scoring as irsl score --train);
            reconstruction: greedy minimisation of the error of reconstructing those models' full benchmark
            scores from the subset's mean; discriminating: one item per stratum of the training models' mean
            response, the one most correlated with the full score; fisher (the default without --responses):
            greedy maximisation of Fisher
            information integrated over the abilities of interest, with diminishing returns so the subset
            spreads over difficulties; stratified: one random
            item per difficulty stratum; random: a uniform sample. The abilities of interest are the fit's
            models (default), a range (--ability LO:HI) or a CSV with a theta column (--population).
            Output columns: item,benchmark,a,d,g,info (info = integrated Fisher information). K > 1 fits:
            fisher is D-optimal (greedy on log det of the posterior precision, averaged over the fit's models),
            a is the multidimensional discrimination ‖a‖, info the mean trace of the information matrix;
            --ability and --population are K = 1 only. See docs/selection.md.
            """)

        @Argument(help: "Fit output file (irsl fit, any K).") var fit: String
        @Option(help: "Items to choose per benchmark.") var perBenchmark: Int
        @Option(help: "Selection method (see above; default auto with --responses, else fisher).") var method: SelectMethod?
        @Option(help: "Response file of models with full responses (reconstruction; normally the fit's input).") var responses: String?
        @Option(parsing: .unconditional, help: "Ability range of interest LO:HI (uniform weights), e.g. -1:2.5.") var ability: String?
        @Option(help: "CSV of abilities of interest: a theta column, optional weight column.") var population: String?
        @Option(help: "Random seed (stratified, random).") var seed: UInt64 = 1
        @Option(name: .shortAndLong, help: "Subset CSV to write.") var output: String

        func validate() throws {
            guard perBenchmark >= 1 else { throw ValidationError("--per-benchmark: expected at least 1, got \(perBenchmark)") }
            if ability != nil && population != nil { throw ValidationError("--ability and --population exclude each other") }
            if let method, method.base == nil, responses == nil {
                throw ValidationError("--method \(method.rawValue): expected --responses FILE (models with full responses, e.g. the fit's input)")
            }
        }

        func run() throws {
            let method = self.method ?? (responses == nil ? .fisher : .auto)
            let (fitResult, bank) = try ItemBank.read(fit: fit)
            try SelectionIO.refuseScalarAbility(bank, fit: fit, [("--ability", ability != nil), ("--population", population != nil)])
            let distribution: AbilityDistribution
            if let ability { distribution = try AbilityDistribution.parseRange(ability) }
            else if let population { distribution = try AbilityDistribution.read(csv: population) }
            else if bank.dims == 1 { distribution = AbilityDistribution.smoothed(bank.populationTheta) }
            else { distribution = AbilityDistribution.smoothed((0..<bank.populationCount).map { bank.populationTheta[$0 * bank.dims] }) }
            let selector = ItemSelector(bank: bank, population: distribution)
            let chosen: [SelectedItem]
            if let base = method.base {
                chosen = selector.select(perBenchmark: perBenchmark, method: base, seed: seed)
            } else {
                let training = try TrainingResponses(path: responses!, bank: bank, fit: fitResult)
                let (rows, trials, theta) = (training.rows, training.trials, training.theta)
                let items: [Int]
                switch method {
                case .discriminating: items = DiscriminatingSelector(bank: bank, responses: rows).select(perBenchmark: perBenchmark)
                case .auto:
                    let candidates = SelectionCandidate.standard(bank: bank, responses: rows, theta: theta, perBenchmark: perBenchmark,
                                                                 selector: selector, seed: seed)
                    var cv = CrossValidatedSelector(bank: bank, responses: rows, trials: trials)
                    cv.seed = seed
                    let choice = cv.select(candidates: candidates)
                    Self.showChoice(choice, candidates: candidates, bank: bank)
                    items = choice.items
                default: items = ReconstructionSelector(bank: bank, responses: rows, theta: theta).select(perBenchmark: perBenchmark)
                }
                chosen = items.map { SelectedItem.chosen($0, information: selector.integratedInformation($0)) }
            }
            let rows = chosen.map { c in
                SubsetTable.Row(item: bank.ids[c.item], benchmark: bank.benchmarkNames[bank.benchmarkOfItem[c.item]],
                                a: bank.dims == 1 ? bank.a[c.item] : bank.discrimination(c.item), d: bank.d[c.item], g: bank.g[c.item], info: c.information)
            }
            try writeTextAtomically(output, SubsetTable(path: output, rows: rows).csv())

            // What the subset buys: the expected standard error of a new model's ability over the distribution.
            func expectedSE(_ items: [Int]) -> Double {
                bank.dims == 1 ? distribution.expectedStandardError(of: items, bank: bank) : selector.multidimensionalStandardError(of: items)
            }
            print("irsl select: \(method.rawValue), \(perBenchmark) per benchmark, \(bank.response.rawValue) fit of \(bank.count) items; abilities "
                  + (ability.map { "uniform on \($0)" } ?? population.map { "from \($0)" } ?? "of the fit's \(bank.populationCount) models"))
            if bank.dims > 1 {
                print("K = \(bank.dims): fisher is D-optimal over the fit's models; a = ‖a‖, difficulty = −d/‖a‖, "
                      + "E[SE θ] = root mean posterior variance over the \(bank.dims) dimensions")
            }
            print(SelectionIO.pad("benchmark", 24) + SelectionIO.pad("items", 8, right: true) + SelectionIO.pad("chosen", 8, right: true)
                  + SelectionIO.pad("info", 11, right: true) + SelectionIO.pad("difficulty range", 18, right: true)
                  + SelectionIO.pad("E[SE θ]", 10, right: true))
            for b in 0..<bank.benchmarkCount {
                let items = chosen.filter { bank.benchmarkOfItem[$0.item] == b }
                let difficulties = items.map { bank.difficulty($0.item) }.filter { $0.isFinite }
                let range = difficulties.isEmpty ? "-" : String(format: "%.2f … %.2f", difficulties.min()!, difficulties.max()!)
                print(SelectionIO.pad(bank.benchmarkNames[b], 24) + SelectionIO.pad(String(bank.itemsOfBenchmark[b].count), 8, right: true)
                      + SelectionIO.pad(String(items.count), 8, right: true)
                      + SelectionIO.pad(String(format: "%.4g", items.reduce(0) { $0 + $1.information }), 11, right: true)
                      + SelectionIO.pad(range, 18, right: true)
                      + SelectionIO.pad(String(format: "%.3f", expectedSE(items.map(\.item))), 10, right: true))
            }
            print(String(format: "all benchmarks together: %d items, expected SE of θ %.3f", chosen.count, expectedSE(chosen.map(\.item))))
            print("wrote \(output)")
        }
    }
}

/// `irsl select --method`: the `ItemSelector` methods and `reconstruction`,
/// which needs the responses of models whose full scores are known.
enum SelectMethod: String, CaseIterable, ExpressibleByArgument {
    case auto, fisher, stratified, random, reconstruction, discriminating
    var base: SelectionMethod? { SelectionMethod(rawValue: rawValue) }
}

extension IRSL.Select {
    /// What `--method auto` chose: per benchmark the winning method and every candidate's held-out RMSE.
    static func showChoice(_ choice: CrossValidatedSelector.Choice, candidates: [SelectionCandidate], bank: ItemBank) {
        print("auto: held-out RMSE (points) of each method's calibrated score, 5-fold over the training models; chosen: " + choice.summary(candidates))
        print(SelectionIO.pad("benchmark", 24) + SelectionIO.pad("chosen", 16) + candidates.map { SelectionIO.pad($0.name, 15, right: true) }.joined())
        for b in 0..<bank.benchmarkCount {
            print(SelectionIO.pad(bank.benchmarkNames[b], 24) + SelectionIO.pad(candidates[choice.chosen[b]].name, 16)
                  + candidates.indices.map { SelectionIO.pad(String(format: "%.2f", 100 * choice.heldOutRMSE[$0][b]), 15, right: true) }.joined())
        }
    }
}
