import ArgumentParser
import Calibration
import Foundation
import IRT
import Selection
import Store

extension IRSL {
    struct EvaluateSubset: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "evaluate-subset",
            abstract: "Measure how well small item subsets predict held-out models' full-benchmark scores.",
            discussion: """
            Calibrates on the split's train models (in-process, one rank), selects N items per benchmark by
            reconstruction (greedy on the train models' leave-one-out reconstruction error of the full score),
            fisher, stratified and random (mean over --repeats draws), scores every test model from the subset
            alone, runs CAT with the same total budget, and compares with the test models' true full-benchmark
            scores (their mean response over each benchmark's answered items). Each method is scored calibrated
            on the train models (IRT prediction combined with the subset mean, then a line to the full score;
            the default of irsl score with --train) and, as METHOD-irt, by the IRT reconstruction alone.
            Prints RMSE and decision accuracy (fraction of test-model pairs ordered as their full scores) per
            benchmark and overall; --output writes method,benchmark,rmse,mae,decision (fractions; benchmark
            'all' on overall rows), plus listed_pairs with --pairs (CSV model_a,model_b of test models).
            SPLIT.csv has columns model,role with role train or test. See docs/selection.md.
            """)

        @Argument(help: "Response file with every model's full responses.") var responses: String
        @Option(help: "CSV with columns model,role (train or test).") var split: String
        @Option(help: "Items per benchmark in each subset (and N × benchmarks for CAT).") var perBenchmark: Int
        @Option(help: "Random draws averaged for the random method.") var repeats = 10
        @Option(help: "Random seed (stratified and random subsets).") var seed: UInt64 = 1
        @Option(help: "Items CAT gives before its first estimate.") var start = 5
        @OptionGroup(title: "Calibration") var calibration: CalibrationOptions
        @Flag(help: "Use /items/floor as each item's fixed lower asymptote in the calibration.") var floorFromFile = false
        @Option(help: "CSV of test-model pairs to decide (columns model_a,model_b).") var pairs: String?
        @Option(name: .shortAndLong, help: "CSV to write: method,benchmark,rmse,mae,decision[,listed_pairs].") var output: String?

        func validate() throws {
            guard perBenchmark >= 1 else { throw ValidationError("--per-benchmark: expected at least 1, got \(perBenchmark)") }
            guard repeats >= 1 else { throw ValidationError("--repeats: expected at least 1, got \(repeats)") }
            guard start >= 0 else { throw ValidationError("--start: expected 0 or more, got \(start)") }
            _ = try calibration.singleDimension()   // one K (any); a list is for irsl fit
        }

        func run() throws {
            let clock = Date()
            let info = try ResponseFileInfo.read(responses)
            let split = try ModelSplit.read(self.split, modelNames: info.modelNames, responsesPath: responses)
            let pairList = try pairs.map { try ModelPairs.read($0, modelNames: split.test.map { info.modelNames[$0] }) }
            var options = calibration.apply(to: FitOptions())
            options.response = try CalibrationJob.resolve((calibration.response ?? .auto).rawValue, kind: info.kind, declared: info.likelihood, path: responses)
            options.floorFromFile = floorFromFile
            try options.validate()
            let floors = try CalibrationJob.floors(info, options: options, path: responses)
            let needTrials = options.response.needsTrials
            let (train, trainTrials) = try Self.rows(split.train, of: responses, info: info, trials: needTrials)
            let (test, testTrials) = try Self.rows(split.test, of: responses, info: info, trials: needTrials)
            print("irsl evaluate-subset: \(info.items) items in \(info.benchmarkNames.count) benchmarks, \(options.response.rawValue) responses; "
                  + "\(split.train.count) train and \(split.test.count) test models (\(info.models - split.train.count - split.test.count) not in the split)")
            fflush(stdout)

            let fitStart = Date()
            let fitted = try calibrate(CalibrationData(matrix: train, trials: trainTrials, rows: split.train.count, itemIDs: info.itemIDs,
                                                       itemBenchmarks: info.benchmarks, floors: floors, response: options.response,
                                                       path: responses), options: options)
            let bank = try ItemBank(calibration: fitted), summary = fitted.summary
            print(String(format: "calibrated on the train models: %d iterations, %@, %.1f s",
                         summary.iterations, (summary.converged ? "converged" : "not converged") as NSString, Date().timeIntervalSince(fitStart)))
            fflush(stdout)

            let evaluation = PopulationEvaluation(bank: bank, train: train, trainTrials: trainTrials, test: test, testTrials: testTrials,
                                                  pairs: pairList)
            let selector = ItemSelector(bank: bank, population: AbilityDistribution.smoothed(
                (0..<bank.populationCount).map { bank.populationTheta[$0 * bank.dims] }))
            let rows = evaluation.run(perBenchmark: perBenchmark, repeats: repeats, seed: seed, selector: selector, start: start) { line in
                print("  " + line); fflush(stdout)
            }
            let budget = perBenchmark * bank.itemsOfBenchmark.filter { !$0.isEmpty }.count
            EvaluateSubsetTable.show(rows, bank: bank, perBenchmark: perBenchmark, repeats: repeats, budget: budget,
                                     listed: pairList.map(\.count))
            if let output {
                var csv = CSVWriter()
                csv.row(["method", "benchmark", "rmse", "mae", "decision"] + (pairList == nil ? [] : ["listed_pairs"]))
                for r in rows {
                    csv.row([r.method, r.benchmark] + [r.rmse, r.mae, r.decision].map(CSVWriter.number)
                            + (pairList == nil ? [] : [CSVWriter.number(r.listed)]))
                }
                try writeTextAtomically(output, csv.text)
                print("wrote \(output)")
            }
            print(String(format: "total %.1f s", Date().timeIntervalSince(clock)))
        }

        /// The listed rows of /responses (and /trials), read block by block, in the order given, checked.
        static func rows(_ wanted: [Int], of path: String, info: ResponseFileInfo, trials: Bool) throws -> ([Float], [Float]?) {
            let reader = try ResponseRows(path: path, info: info, trials: trials, why: "binomial responses need /trials")
            defer { reader.close() }
            let (out, counts) = try reader.rows(wanted)
            let n = info.items
            for (i, y) in out.enumerated() where !y.isNaN && !(y >= 0 && y <= 1) {
                throw StoreError(file: path, field: ResponseLayout.responses,
                                 message: "entry [\(wanted[i / n]), \(i % n)] (item \(info.itemIDs[i % n])) is \(y); expected a value in [0, 1] or NaN for missing")
            }
            return (out, counts.map { $0.map { Float($0) } })
        }
    }
}
