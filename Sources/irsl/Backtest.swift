import ArgumentParser
import Calibration
import Foundation
import IRT
import ScalingLaw
import Store

extension IRSL {
    struct Backtest: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Backtest the scaling law: calibrate on train models, forecast test models from covariates and family only.",
            discussion: """
            SPLIT.csv has columns model,role (train|test) and optionally fold: each fold is calibrated,
            fitted and forecast on its own, and the tables pool all folds. Test models' responses are used
            only to score the forecasts. The same split runs two baselines side by side: a per-benchmark
            sigmoid of log FLOPs with the floor (FLOPs only), and the same with one intercept per family
            (family + FLOPs). Prints per benchmark and overall MAE, RMSE, interval coverage and width, and
            decision accuracy (pairs of test models ranked in the observed order). Writes
            model,benchmark,predicted,lower,upper,observed,family,fold and the baselines' columns.
            See docs/scaling-law.md.
            """)

        @Argument(help: "Response file (docs/format.md) with /models/family and covariates.") var responses: String
        @Option(help: "CSV: model,role[,fold].") var split: String?
        @Option(help: "A named split instead of --split: largest-per-family or leave-family-out (docs/scaling-law.md).") var `protocol`: BacktestProtocol?
        @Option(help: "With --protocol: the test families, comma-separated; for leave-family-out each entry is one fold and may join families with + (default: every family with enough models).") var testFamilies: String?
        @Option(help: "Covariates of the law: log FLOPs, or the translog of parameters and tokens.") var covariates: CovariateSet = .flops
        @Option(help: "Family intercepts.") var families: FamilyEffects = .random
        @Option(help: "Family × benchmark offsets of the linear predictor (random effects) on top of the law: random or none.") var offsets: OffsetMode = .random
        @Option(help: "Benchmarks to hide for the test models (comma-separated): their abilities come from the other benchmarks they took, and only these are forecast, next to a regression on the other benchmarks' scores.") var holdoutBenchmarks: String?
        @Option(help: "Central probability of the intervals.") var level = 0.9
        @Option(help: "Monte Carlo draws per test model.") var draws = 2000
        @OptionGroup(title: "Calibration (floors are used whenever the file has them)") var calibration: CalibrationOptions
        @Option(name: .shortAndLong, help: "Forecasts CSV to write.") var output: String

        func validate() throws {
            guard (split == nil) != (`protocol` == nil) else { throw ValidationError("give exactly one of --split SPLIT.csv and --protocol NAME") }
            if testFamilies != nil && `protocol` == nil { throw ValidationError("--test-families needs --protocol") }
            try LawCLI.checkLevel(level)
            guard draws >= 100 else { throw ValidationError("--draws: expected at least 100, got \(draws)") }
        }

        func run() throws {
            let info = try ResponseFileInfo.read(responses)
            let splitting: BacktestSplit
            let source: String
            if let split {
                splitting = .folds(try SplitFile.read(split, modelNames: info.modelNames))
                source = split
            } else {
                let groups = testFamilies.map { $0.split(separator: ",").map { $0.split(separator: "+").map { String($0).trimmingCharacters(in: .whitespaces) } } }
                splitting = .named(`protocol`!, testFamilies: groups)
                source = "--protocol \(`protocol`!.rawValue)"
            }
            var options = BacktestOptions()
            options.calibration = calibration.apply(to: FitOptions())
            if let list = calibration.dims?.values {
                if list.count == 1 { options.dims = list[0] } else { options.dimsCandidates = list }
            }
            options.holdoutBenchmarks = holdoutBenchmarks?.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } ?? []
            options.maxIterations = options.calibration.maxIterations
            options.response = calibration.response?.model
            options.covariates = covariates
            options.families = families
            options.offsets = offsets == .random
            options.forecast.level = level
            options.forecast.draws = draws
            let start = Date()
            let k = options.dims.map { "K = \($0)" } ?? "K from \(options.dimsCandidates.map(String.init).joined(separator: ",")) by nested cross-validation"
            print("irsl backtest: \(responses), split from \(source); \(k), \(covariates.rawValue) law, \(families.rawValue) family effects, \(offsets.rawValue) family × benchmark offsets"
                  + (options.holdoutBenchmarks.isEmpty ? "" : "; hidden for the test models: " + options.holdoutBenchmarks.joined(separator: ", ")))
            let result = try ScalingLaw.Backtest.run(responsePath: responses, split: splitting, options: options) { line in
                print("  " + line)
                fflush(stdout)
            }
            guard !result.law.isEmpty else {
                throw ValidationError("no test model could be forecast (each needs covariates and at least one response)")
            }
            try writeTextAtomically(output, ScalingLaw.Backtest.csv(result))
            let testModels = Set(result.law.map { "\($0.fold)\u{1}\($0.model)" }).count
            print("  \(testModels) test model(s), \(result.law.count) (model, benchmark) forecasts"
                  + (result.skippedTest > 0 ? "; \(result.skippedTest) test model(s) skipped (no covariates or no responses)" : "")
                  + (result.skippedTrain > 0 ? "; \(result.skippedTrain) training model(s) without covariates left out of the law" : "")
                  + String(format: "; %.1f s", Date().timeIntervalSince(start)))
            for line in BacktestTables.lines(result, level: level) { print(line) }
            print("wrote \(output)")
        }
    }
}
