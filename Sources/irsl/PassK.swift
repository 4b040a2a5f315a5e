import ArgumentParser
import Foundation
import ScalingLaw
import Store

extension IRSL {
    struct PassK: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "passk",
            abstract: "Predicted pass@k per benchmark from the calibrated per-question success probabilities.",
            discussion: """
            pass@k = mean over a benchmark's questions of 1 − (1 − p)^k, p = g + (1 − g)σ(a·θ + d) for each
            fitted model. For binomial data (successes out of n samples, /trials) the unbiased estimator
            1 − C(n − c, k)/C(n, k) from the counts is shown next to it for k ≤ n; beyond n only the
            calibrated p extrapolates. Counts come from --input or the response file the fit records as its
            @input. Prints the mean over the selected models; --output writes every model:
            model,benchmark,k,predicted,empirical,questions. See docs/scaling-law.md.
            """)

        @Argument(help: "Fit output file (irsl fit).") var fit: String
        @Option(help: "Comma-separated k values.",
                transform: PositiveIntegers.parse(expected: "a comma-separated list of positive integers, e.g. 1,10,100"))
        var k = PositiveIntegers([1, 10, 100, 1000])
        @Option(help: "Models: comma-separated names, or a CSV file with a name (or model) column. Default: all.") var models: String?
        @Option(help: "Response file with the counts (default: the one the fit records, @input).") var input: String?
        @Option(name: .shortAndLong, help: "CSV to write, one row per model, benchmark and k.") var output: String?

        func run() throws {
            let ks = k.values
            let result = try FitResult.read(fit)
            let bank = try CalibratedItems(fit: result)
            var index: [String: Int] = [:]
            for (i, n) in result.modelNames.enumerated() where index[n] == nil { index[n] = i }
            var selected = Array(result.modelNames.indices)
            if let models {
                let names: [String]
                if FileManager.default.fileExists(atPath: models) {
                    let t = try CSVTable(path: models)
                    let c = try t.requiredColumn(["name", "model"])
                    names = t.rows.map { $0[c].trimmingCharacters(in: .whitespaces) }
                } else {
                    names = models.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
                }
                selected = try names.map { n in
                    guard let i = index[n] else {
                        throw StoreError(file: fit, field: "/models/name", message: "no model '\(n)' (from --models)")
                    }
                    return i
                }
            }

            // Counts for the posterior and the unbiased estimator: fits of counts only.
            var counts: [(responses: [Float], trials: [Int32])]?
            var note = "no counts (the fit's likelihood is \(result.attributes.response), not binomial or beta-binomial): predicted only"
            if bank.response.needsTrials {
                if let path = LawCLI.responseFile(result: result, input: input) {
                    counts = try PassKCounts.read(path, fitItems: result.itemIDs, models: selected.map { result.modelNames[$0] })
                    note = "posterior: the calibrated prior updated by each model's own samples; empirical: unbiased estimator from the counts of \(path)"
                } else {
                    note = "no counts: \(result.attributes.inputProblem); give --input"
                }
            }
            let rows = PassAtK.table(bank: bank, theta: result.theta, modelNames: result.modelNames,
                                     models: selected, ks: ks, counts: counts)
            if let output { try writeTextAtomically(output, PassAtK.csv(rows)) }

            print("irsl passk: \(selected.count) model(s) of \(fit); \(note)")
            print("predicted: \(bank.response.hasPrecision ? "the Beta mixture 1 − B(α, β + k)/B(α, β) of the fitted precision" : "1 − (1 − p)^k")")
            print("  " + LawCLI.pad("benchmark", 24) + "       k  predicted  posterior  empirical   models")
            for b in bank.benchmarkNames {
                for kk in ks {
                    let these = rows.filter { $0.benchmark == b && $0.k == kk }
                    let predicted = these.reduce(0.0) { $0 + $1.predicted } / Double(max(these.count, 1))
                    let withCounts = these.filter { $0.empirical.isFinite }
                    // Mean over the models that have counts, with the prediction over the same models.
                    let empirical = withCounts.isEmpty ? "" : String(format: "%.4f", withCounts.reduce(0.0) { $0 + $1.empirical } / Double(withCounts.count))
                    let withPosterior = these.filter { $0.posterior.isFinite }
                    let posterior = withPosterior.isEmpty ? "" : String(format: "%.4f", withPosterior.reduce(0.0) { $0 + $1.posterior } / Double(withPosterior.count))
                    func column(_ text: String) -> String { String(repeating: " ", count: max(0, 10 - text.count)) + text }
                    print("  " + LawCLI.pad(b, 24) + String(format: " %7d %10.4f ", kk, predicted)
                          + column(posterior) + " " + column(empirical) + String(format: " %8d", these.count))
                }
            }
            if let output { print("wrote \(output)") }
        }
    }
}

/// Reads the successes/trials rows of the selected models, with items in the fit's order.
enum PassKCounts {
    static func read(_ path: String, fitItems: [String], models: [String]) throws -> [(responses: [Float], trials: [Int32])] {
        let info = try ResponseFileInfo.read(path)
        var row: [String: Int] = [:], column: [String: Int] = [:]
        for (i, n) in info.modelNames.enumerated() where row[n] == nil { row[n] = i }
        for (j, id) in info.itemIDs.enumerated() where column[id] == nil { column[id] = j }
        let map = try fitItems.map { id -> Int in
            guard let j = column[id] else { throw StoreError(file: path, field: ResponseLayout.itemIDs, message: "no item '\(id)' of the fit") }
            return j
        }
        let rows = try models.map { name -> Int in
            guard let r = row[name] else { throw StoreError(file: path, field: ResponseLayout.modelNames, message: "no model '\(name)' of the fit") }
            return r
        }
        let reader = try ResponseRows(path: path, info: info, trials: true, why: "the unbiased pass@k estimator needs trial counts")
        defer { reader.close() }
        let (y, t) = try reader.rows(rows)
        let n = info.items
        return rows.indices.map { i in (map.map { y[i * n + $0] }, map.map { t![i * n + $0] }) }
    }
}
