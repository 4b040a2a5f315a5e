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
            fisher, stratified and random (mean over --repeats draws), scores every test model from the subset
            alone, runs CAT with the same total budget, and compares with the test models' true full-benchmark
            scores (their mean response over each benchmark's answered items). Prints RMSE and MAE per benchmark
            and overall; --output writes method,benchmark,rmse,mae (fractions; benchmark 'all' on overall rows).
            SPLIT.csv has columns model,role with role train or test. See docs/selection.md.
            """)

        @Argument(help: "Response file with every model's full responses.") var responses: String
        @Option(help: "CSV with columns model,role (train or test).") var split: String
        @Option(help: "Items per benchmark in each subset (and N × benchmarks for CAT).") var perBenchmark: Int
        @Option(help: "Random draws averaged for the random method.") var repeats = 10
        @Option(help: "Random seed (stratified and random subsets).") var seed: UInt64 = 1
        @Option(help: "Items CAT gives before its first estimate.") var start = 5
        @Flag(help: "Use /items/floor as each item's fixed lower asymptote in the calibration.") var floorFromFile = false
        @Option(help: "Iteration limit of the calibration.") var maxIterations = 500
        @Option(name: .shortAndLong, help: "CSV to write: method,benchmark,rmse,mae.") var output: String?

        func validate() throws {
            guard perBenchmark >= 1 else { throw ValidationError("--per-benchmark: expected at least 1, got \(perBenchmark)") }
            guard repeats >= 1 else { throw ValidationError("--repeats: expected at least 1, got \(repeats)") }
            guard start >= 0 else { throw ValidationError("--start: expected 0 or more, got \(start)") }
            guard maxIterations >= 1 else { throw ValidationError("--max-iterations: expected at least 1, got \(maxIterations)") }
        }

        func run() throws {
            let clock = Date()
            let info = try ResponseFileInfo.read(responses)
            let split = try ModelSplit.read(self.split, modelNames: info.modelNames, responsesPath: responses)
            var options = FitOptions()
            options.response = try CalibrationJob.resolve("auto", kind: info.kind, declared: info.likelihood, path: responses)
            options.floorFromFile = floorFromFile
            options.maxIterations = maxIterations
            try options.validate()
            var floors: [Double]?
            if floorFromFile {
                guard let f = info.floor else {
                    throw StoreError(file: responses, field: ResponseLayout.itemFloor, message: "--floor-from-file was given but the file has no floors")
                }
                floors = f
            }
            let needTrials = options.response.needsTrials
            let (train, trainTrials) = try Self.rows(split.train, of: responses, info: info, trials: needTrials)
            let (test, testTrials) = try Self.rows(split.test, of: responses, info: info, trials: needTrials)
            print("irsl evaluate-subset: \(info.items) items in \(info.benchmarkNames.count) benchmarks, \(options.response.rawValue) responses; "
                  + "\(split.train.count) train and \(split.test.count) test models (\(info.models - split.train.count - split.test.count) not in the split)")
            fflush(stdout)

            let fitStart = Date()
            let (bank, summary) = try InProcessCalibration.calibrate(
                responses: train, trials: trainTrials, rows: split.train.count, itemIDs: info.itemIDs, benchmarks: info.benchmarks,
                floors: floors, options: options, path: responses)
            print(String(format: "calibrated on the train models: %d iterations, %@, %.1f s",
                         summary.iterations, (summary.converged ? "converged" : "not converged") as NSString, Date().timeIntervalSince(fitStart)))
            fflush(stdout)

            let evaluator = SubsetEvaluator(bank: bank, responses: test, trials: testTrials)
            let selector = ItemSelector(bank: bank, population: AbilityDistribution.smoothed(bank.populationTheta))
            let rows = evaluator.run(perBenchmark: perBenchmark, repeats: repeats, seed: seed, selector: selector) { line in
                print("  " + line); fflush(stdout)
            }
            let budget = perBenchmark * bank.itemsOfBenchmark.filter { !$0.isEmpty }.count
            Self.printTable(rows, bank: bank, perBenchmark: perBenchmark, repeats: repeats, budget: budget)
            if let output {
                var csv = CSVWriter()
                csv.row(["method", "benchmark", "rmse", "mae"])
                for r in rows { csv.row([r.method, r.benchmark, CSVWriter.number(r.rmse), CSVWriter.number(r.mae)]) }
                try writeTextAtomically(output, csv.text)
                print("wrote \(output)")
            }
            print(String(format: "total %.1f s", Date().timeIntervalSince(clock)))
        }

        /// The listed rows of /responses (and /trials), read block by block, in the order given.
        static func rows(_ wanted: [Int], of path: String, info: ResponseFileInfo, trials: Bool) throws -> ([Float], [Float]?) {
            let n = info.items
            var out = [Float](repeating: .nan, count: wanted.count * n)
            var outTrials: [Float]? = trials ? [Float](repeating: 0, count: wanted.count * n) : nil
            if trials && !info.hasTrials {
                throw StoreError(file: path, field: ResponseLayout.trials, message: "binomial responses need /trials; the file has none")
            }
            let file = try H5File(path, mode: .readOnly)
            defer { file.close() }
            let block = max(1, (1 << 22) / max(n, 1))
            var buffer = [Float](repeating: 0, count: min(block, info.models) * n)
            var tBuffer = [Int32](repeating: 0, count: trials ? min(block, info.models) * n : 0)
            var next = 0
            for start in stride(from: 0, to: info.models, by: block) {
                let count = min(block, info.models - start)
                guard next < wanted.count, wanted[next] < start + count else { continue }
                try buffer.withUnsafeMutableBufferPointer {
                    try file.readRows(ResponseLayout.responses, rowStart: start, rowCount: count,
                                      into: UnsafeMutableBufferPointer(rebasing: $0[0..<(count * n)]))
                }
                if trials {
                    try tBuffer.withUnsafeMutableBufferPointer {
                        try file.readRows(ResponseLayout.trials, rowStart: start, rowCount: count,
                                          into: UnsafeMutableBufferPointer(rebasing: $0[0..<(count * n)]))
                    }
                }
                while next < wanted.count, wanted[next] < start + count {
                    let r = wanted[next] - start
                    for j in 0..<n {
                        let y = buffer[r * n + j]
                        if !y.isNaN && !(y >= 0 && y <= 1) {
                            throw StoreError(file: path, field: ResponseLayout.responses,
                                             message: "entry [\(wanted[next]), \(j)] (item \(info.itemIDs[j])) is \(y); expected a value in [0, 1] or NaN for missing")
                        }
                        out[next * n + j] = y
                        if trials { outTrials![next * n + j] = Float(tBuffer[r * n + j]) }
                    }
                    next += 1
                }
            }
            return (out, outTrials)
        }

        static func printTable(_ rows: [EvaluationRow], bank: ItemBank, perBenchmark: Int, repeats: Int, budget: Int) {
            let methods = ["fisher", "stratified", "random", "cat"]
            let titles = ["fisher-\(perBenchmark)", "stratified-\(perBenchmark)", "random-\(perBenchmark) (×\(repeats))", "cat-\(budget)"]
            print("full-score error on the test models, RMSE / MAE in % (\(perBenchmark) items per benchmark; CAT: \(budget) items in all)")
            print(SelectionIO.pad("benchmark", 16) + titles.map { SelectionIO.pad($0, 22, right: true) }.joined())
            for b in bank.benchmarkNames + ["all"] {
                var line = SelectionIO.pad(b, 16)
                for m in methods {
                    if let r = rows.first(where: { $0.method == m && $0.benchmark == b }) {
                        line += SelectionIO.pad(String(format: "%.2f / %.2f", 100 * r.rmse, 100 * r.mae), 22, right: true)
                    } else {
                        line += SelectionIO.pad("-", 22, right: true)
                    }
                }
                print(line)
            }
        }
    }
}
