import Foundation
import Store

/// `irsl ingest table`: a models × scores CSV (a leaderboard export) →
/// response file.
///
/// Rows are models; the chosen columns are items whose cells are scores in
/// [0, 1] (accuracies, pass rates; an empty cell, or `NaN`, is a missing
/// evaluation); metadata columns go to `/models/*`. Scores are recorded as
/// `probability` responses, the right kind for a proportion over an
/// unknown number of questions; with `--questions` (each benchmark's
/// number of questions, `QuestionCounts`) as successes out of trials.
///
/// Covariates keep the units the file uses: a `#Params (B)` column stays in
/// billions and `/models/params` says so in its `units` (and `scale`,
/// `source_column`) attributes, because silently rescaling would make
/// appended files with other units disagree; see `CovariateUnits`.
///
/// Which columns are items: `--items` (names), `--items-matching` (a
/// regular expression), or by default the columns of the `--floors` file,
/// or, without one, every column that is not a metadata column or an
/// unnamed index column. The file is read by Store's `CSVTable` (the one
/// CSV reader of irsl: quoting, BOM, blank lines, missing-value words), and
/// every cell error is its `file: column X, line L: …`: a non-numeric cell,
/// a score outside [0, 1], a duplicate or empty model name, a row with the
/// wrong number of fields.
public struct TableIngest {
    public var input: String
    public var output: String
    /// Model name column; nil: a column named "model" in any case.
    public var modelColumn: String?
    public var familyColumn: String?
    public var paramsColumn: String?
    public var tokensColumn: String?
    public var flopsColumn: String?
    /// Item columns by name.
    public var items: [String]?
    /// Item columns by regular expression (searched, so anchor it for whole names).
    public var itemsMatching: String?
    /// A CSV of chance levels per item column (wide: one row under the item
    /// names, like lower_bounds.csv; or long: columns `item,floor`).
    public var floors: String?
    public var benchmarkMap: BenchmarkMap
    /// A CSV `benchmark,questions` (`QuestionCounts`): the scores become
    /// successes out of each benchmark's questions (a `proportion` file).
    public var questions: String?
    public var append: Bool
    public var replace: Bool

    public init(input: String, output: String, modelColumn: String? = nil, familyColumn: String? = nil,
                paramsColumn: String? = nil, tokensColumn: String? = nil, flopsColumn: String? = nil,
                items: [String]? = nil, itemsMatching: String? = nil, floors: String? = nil,
                benchmarkMap: BenchmarkMap = BenchmarkMap(), questions: String? = nil, append: Bool = false, replace: Bool = false) {
        self.input = input
        self.output = output
        self.modelColumn = modelColumn
        self.familyColumn = familyColumn
        self.paramsColumn = paramsColumn
        self.tokensColumn = tokensColumn
        self.flopsColumn = flopsColumn
        self.items = items
        self.itemsMatching = itemsMatching
        self.floors = floors
        self.benchmarkMap = benchmarkMap
        self.questions = questions
        self.append = append
        self.replace = replace
    }

    @discardableResult
    public func run(log: (String) -> Void = { _ in }) throws -> IngestSummary {
        let started = Date()
        let table = try CSVTable(path: input)
        let header = table.header
        var columnOfName: [String: Int] = [:]
        for (index, name) in header.enumerated() where !name.isEmpty {
            if let earlier = columnOfName[name] {
                throw IngestError(file: input, location: "line 1",
                                  message: "column \"\(name)\" appears twice (columns \(earlier + 1) and \(index + 1))")
            }
            columnOfName[name] = index
        }
        func column(_ name: String, _ option: String) throws -> Int {
            if let index = columnOfName[name] { return index }
            let folded = header.indices.filter { header[$0].lowercased() == name.lowercased() }
            if folded.count == 1 { return folded[0] }
            throw IngestError(file: input, location: "line 1",
                              message: "\(option): no column \"\(name)\"; the columns are \(TableIngest.preview(header))")
        }

        let modelIndex: Int
        if let modelColumn {
            modelIndex = try column(modelColumn, "--model-column")
        } else {
            guard let found = header.firstIndex(where: { $0.lowercased() == "model" }) else {
                throw IngestError(file: input, location: "line 1",
                                  message: "no column named \"model\"; name the model column with --model-column "
                                    + "(the columns are \(TableIngest.preview(header)))")
            }
            modelIndex = found
        }
        let familyIndex = try familyColumn.map { try column($0, "--family-column") }
        let covariates: [(path: String, option: String, index: Int)] = try [
            (ResponseLayout.modelParams, "--params-column", paramsColumn),
            (ResponseLayout.modelTokens, "--tokens-column", tokensColumn),
            (ResponseLayout.modelFlops, "--flops-column", flopsColumn),
        ].compactMap { path, option, name in try name.map { (path, option, try column($0, option)) } }
        let metadata = Set([modelIndex] + (familyIndex.map { [$0] } ?? []) + covariates.map(\.index))

        let floorOfItem = try floors.map { try TableIngest.readFloors($0) } ?? [:]
        let itemIndices = try selectItems(header, column: column, metadata: metadata, floors: floorOfItem)
        guard !itemIndices.isEmpty else {
            throw IngestError(file: input, message: "no item columns selected")
        }
        var notes: [String] = []
        if floors != nil {
            let without = itemIndices.filter { floorOfItem[header[$0]] == nil }.map { header[$0] }
            if !without.isEmpty {
                notes.append("\(without.count) item column(s) have no floor in \(floors!) (0 used): \(TableIngest.preview(without))")
            }
        }
        // With question counts: every item's benchmark needs one, and the file is new (a file with /trials takes no appends).
        let questionsOfBenchmark = try questions.map { try QuestionCounts.read($0) }
        var trialsOfItem: [Int32]?
        if let questionsOfBenchmark, let questions {
            guard !append else {
                throw IngestError(file: questions, message: "--questions writes successes out of trials (/trials), and such a file cannot be appended to; write a new file")
            }
            trialsOfItem = try itemIndices.map { index in
                let benchmark = benchmarkMap.benchmark(for: header[index])
                guard let n = questionsOfBenchmark[benchmark] else {
                    throw IngestError(file: questions, message: "no question count for benchmark \"\(benchmark)\" (column \"\(header[index])\"); "
                                        + "the file lists \(TableIngest.preview(questionsOfBenchmark.keys.sorted()))")
                }
                return Int32(n)
            }
        }
        let kind: ResponseKind = trialsOfItem == nil ? .probability : .proportion
        var trialRows: [[Int32]] = []

        var summary = IngestSummary(output: output, outcome: .created, kind: kind, models: 0, items: 0,
                                    newModels: [], replacedModels: [], newItems: 0,
                                    bytesRead: (try? FileManager.default.attributesOfItem(atPath: input)[.size] as? Int) ?? 0,
                                    linesRead: 0, parseSeconds: 0, seconds: 0, badLines: 0, repeatedRecords: 0, notes: notes)
        summary.outcome = try ResponseFileTarget.write(output: output, kind: kind, append: append,
                                                       log: { log($0); summary.notes.append($0) }) { writer in
            for covariate in covariates {
                try writer.setUnits(TableIngest.units(ofColumn: header[covariate.index]), for: covariate.path)
            }
            let itemsBefore = writer.catalog.count
            var columns: [Int] = []
            for index in itemIndices {
                let name = header[index]
                columns.append(try writer.catalog.column(id: name, benchmark: benchmarkMap.benchmark(for: name),
                                                         floor: floors == nil ? nil : (floorOfItem[name] ?? 0),
                                                         source: input, location: "column \"\(name)\""))
            }
            var firstRowOfModel: [String: Int] = [:]
            for r in table.rows.indices {
                let name = table.text(r, modelIndex)
                guard !name.isEmpty else { throw table.error(r, modelIndex, "empty model name") }
                if let earlier = firstRowOfModel[name] {
                    throw table.error(r, modelIndex, "model \"\(name)\" already named on line \(table.lines[earlier]); model names must be unique")
                }
                firstRowOfModel[name] = r
                var model = ModelMetadata(name: name)
                if let familyIndex { model.family = table.text(r, familyIndex) }
                for covariate in covariates {
                    let value = try table.number(r, covariate.index)
                    guard !value.isInfinite else {
                        throw table.error(r, covariate.index, "model \"\(name)\": expected a finite number or an empty cell, found '\(table.text(r, covariate.index))'")
                    }
                    switch covariate.path {
                    case ResponseLayout.modelParams: model.params = value
                    case ResponseLayout.modelTokens: model.tokens = value
                    default: model.flops = value
                    }
                }
                var row = [Float](repeating: .nan, count: writer.catalog.count)
                var trials = [Int32](repeating: 0, count: writer.catalog.count)
                for (k, index) in itemIndices.enumerated() {
                    let value: Double
                    do { value = try table.number(r, index) } catch let error as StoreError {
                        throw StoreError(file: error.file, field: error.field, message: "model \"\(name)\": \(error.message)")
                    }
                    if !value.isNaN && !(value >= 0 && value <= 1) {
                        throw table.error(r, index, "model \"\(name)\": expected a score in [0, 1] or an empty cell, found '\(table.text(r, index))'")
                    }
                    if let n = trialsOfItem?[k], !value.isNaN {
                        row[columns[k]] = Float((value * Double(n)).rounded() / Double(n))
                        trials[columns[k]] = n
                    } else {
                        row[columns[k]] = Float(value)
                    }
                }
                if trialsOfItem != nil { trialRows.append(trials) }
                do {
                    try writer.addModel(model, values: row, replace: replace)
                } catch let error as IngestError {
                    throw StoreError(file: input, field: "line \(table.lines[r])", message: error.description)
                }
            }
            guard !table.rows.isEmpty else { throw IngestError(file: input, message: "no rows under the header") }
            if trialsOfItem != nil { try writer.writeTrials(trialRows) }
            summary.linesRead = table.rows.count
            summary.models = writer.modelNames.count
            summary.items = writer.catalog.count
            summary.newItems = writer.catalog.count - itemsBefore
            summary.newModels = writer.newModels
            summary.replacedModels = writer.replacedModels
        }
        summary.seconds = Date().timeIntervalSince(started)
        summary.parseSeconds = summary.seconds
        return summary
    }

    /// The item columns, in file order.
    private func selectItems(_ header: [String], column: (String, String) throws -> Int, metadata: Set<Int>,
                             floors: [String: Double]) throws -> [Int] {
        var chosen: [Int]
        if let items {
            chosen = try items.map { try column($0, "--items") }
            if let regex = itemsMatching { chosen += try matching(regex, header) }
        } else if let regex = itemsMatching {
            chosen = try matching(regex, header)
        } else if !floors.isEmpty {
            chosen = header.indices.filter { floors[header[$0]] != nil }
        } else {
            chosen = header.indices.filter { !TableIngest.isIndexColumn(header[$0], position: $0) }
        }
        if items != nil || itemsMatching != nil {
            if let clash = chosen.first(where: { metadata.contains($0) }) {
                throw IngestError(file: input, location: "column \"\(header[clash])\"",
                                  message: "is both a metadata column and an item")
            }
        } else {
            chosen.removeAll { metadata.contains($0) }
        }
        var seen = Set<Int>()
        return chosen.filter { seen.insert($0).inserted }.sorted()
    }

    private func matching(_ pattern: String, _ header: [String]) throws -> [Int] {
        let regex: NSRegularExpression
        do { regex = try NSRegularExpression(pattern: pattern) } catch {
            throw IngestError(file: "--items-matching", message: "not a valid regular expression: \(pattern)")
        }
        let found = header.indices.filter { index in
            let name = header[index]
            return regex.firstMatch(in: name, range: NSRange(name.startIndex..., in: name)) != nil
        }
        guard !found.isEmpty else {
            throw IngestError(file: input, location: "line 1",
                              message: "--items-matching \(pattern) matches no column; the columns are \(TableIngest.preview(header))")
        }
        return found
    }

    /// An unnamed first column (pandas' index: "" or "Unnamed: 0").
    static func isIndexColumn(_ name: String, position: Int) -> Bool {
        name.isEmpty || name.hasPrefix("Unnamed:")
    }

    /// Chance level per item name from a floors CSV: wide (one data row under
    /// the item names, an unnamed index column ignored) or long (`item,floor`).
    public static func readFloors(_ path: String) throws -> [String: Double] {
        let table = try CSVTable(path: path)
        let header = table.header
        var floors: [String: Double] = [:]
        func floor(_ r: Int, _ c: Int) throws -> Double {
            let value = try table.number(r, c)
            guard value.isNaN || (value >= 0 && value < 1) else {
                throw table.error(r, c, "expected a chance level in [0, 1), found '\(table.text(r, c))'")
            }
            return value
        }
        if header.count == 2 && header[0].lowercased() == "item" && header[1].lowercased() == "floor" {
            for r in table.rows.indices {
                let value = try floor(r, 1)
                if !value.isNaN { floors[table.text(r, 0)] = value }
            }
        } else {
            guard table.rows.count == 1 else {
                throw StoreError(file: path, field: table.rows.isEmpty ? "line 2" : "line \(table.lines[1])",
                                 message: "expected a single row of chance levels under the item names (or the long form item,floor)")
            }
            for (index, name) in header.enumerated() where !isIndexColumn(name, position: index) {
                let value = try floor(0, index)
                if !value.isNaN { floors[name] = value }
            }
        }
        return floors
    }

    /// Units from a header's parenthesised suffix: "#Params (B)" → billions
    /// (scale 1e9), "(T)" trillions, "(M)" millions, "(K)" thousands,
    /// "(1E21)" → 1e21; anything else is recorded as written, without a scale.
    public static func units(ofColumn header: String) -> CovariateUnits {
        guard let open = header.lastIndex(of: "("), header.hasSuffix(")") else {
            return CovariateUnits(units: "as in the source (no unit in the column name)", scale: nil, sourceColumn: header)
        }
        let inside = header[header.index(after: open)..<header.index(before: header.endIndex)]
            .trimmingCharacters(in: .whitespaces)
        switch inside.uppercased() {
        case "K": return CovariateUnits(units: "thousands", scale: 1e3, sourceColumn: header)
        case "M": return CovariateUnits(units: "millions", scale: 1e6, sourceColumn: header)
        case "B", "G": return CovariateUnits(units: "billions", scale: 1e9, sourceColumn: header)
        case "T": return CovariateUnits(units: "trillions", scale: 1e12, sourceColumn: header)
        default:
            if let scale = Double(inside.lowercased()), scale > 0 {
                return CovariateUnits(units: "multiples of \(inside.lowercased())", scale: scale, sourceColumn: header)
            }
            return CovariateUnits(units: inside, scale: nil, sourceColumn: header)
        }
    }

    static func preview(_ names: [String], limit: Int = 12) -> String {
        let shown = names.prefix(limit).map { "\"\($0)\"" }.joined(separator: ", ")
        return names.count > limit ? "\(shown), … (\(names.count) in all)" : shown
    }
}
