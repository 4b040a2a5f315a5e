import Foundation
import Ingest
import Store
import XCTest

/// `TableIngest` on the real leaderboard table (data_v2.csv with
/// lower_bounds.csv as floors), checked against a plain split of the CSV
/// text (the files contain no quotes, so splitting on commas is exact).
final class TableIngestTests: IngestTestCase {
    static let metadata = ["--family-column", "Family"]

    func ingestLeaderboard(_ out: String) throws -> IngestSummary {
        try TableIngest(input: IngestTestCase.leaderboard, output: out, familyColumn: "Family",
                        paramsColumn: "#Params (B)", tokensColumn: "Pretraining Data Size (T)",
                        flopsColumn: "FLOPs (1E21)", floors: IngestTestCase.lowerBounds).run()
    }

    /// The CSV split by hand: header and rows of fields.
    static func split(_ path: String) throws -> (header: [String], rows: [[String]]) {
        let lines = try IngestTestCase.lines(path).map { $0.components(separatedBy: ",") }
        return (lines[0], Array(lines.dropFirst()))
    }

    func testLeaderboardCountsMissingnessValuesAndUnits() throws {
        let out = path("leaderboard.h5")
        let summary = try ingestLeaderboard(out)
        let (header, rows) = try TableIngestTests.split(IngestTestCase.leaderboard)
        let (floorHeader, floorRows) = try TableIngestTests.split(IngestTestCase.lowerBounds)
        let itemNames = header.filter { floorHeader.contains($0) && !$0.isEmpty }

        let info = try ResponseFileInfo.read(out)
        XCTAssertEqual(summary.models, rows.count)
        XCTAssertEqual(info.models, 188)                 // the data README: 188 models
        XCTAssertEqual(info.items, floorHeader.count - 1)  // every column of lower_bounds.csv but its index
        XCTAssertEqual(info.itemIDs, itemNames)
        XCTAssertEqual(info.kind, .probability)
        XCTAssertEqual(info.modelNames, rows.map { $0[1] })
        XCTAssertEqual(Set(info.families!).count, 35)     // the data README: 35 families
        XCTAssertEqual(info.benchmarks, itemNames)

        // Floors: lower_bounds.csv, column by column.
        for (j, name) in info.itemIDs.enumerated() {
            XCTAssertEqual(info.floor![j], Double(floorRows[0][floorHeader.firstIndex(of: name)!])!, name)
        }

        // Every cell against the text: empty ↔ NaN, otherwise the same number.
        let file = try H5File(out, mode: .readOnly)
        defer { file.close() }
        var values = [Float](repeating: 0, count: info.models * info.items)
        try values.withUnsafeMutableBufferPointer { try file.readRows("/responses", rowStart: 0, rowCount: info.models, into: $0) }
        var missing = 0
        for (m, fields) in rows.enumerated() {
            for (j, name) in itemNames.enumerated() {
                let cell = fields[header.firstIndex(of: name)!]
                let value = values[m * info.items + j]
                if cell.isEmpty {
                    missing += 1
                    XCTAssertTrue(value.isNaN, "\(fields[1]) \(name)")
                } else {
                    XCTAssertEqual(value, Float(Double(cell)!), "\(fields[1]) \(name)")
                }
            }
        }
        XCTAssertGreaterThan(missing, 0)
        // A few cells read straight off the file: bloom's ARC, llama-13b's IFEval, bloom has no IFEval.
        let bloom = info.modelNames.firstIndex(of: "bloom")!, llama = info.modelNames.firstIndex(of: "llama-13b")!
        XCTAssertEqual(values[bloom * info.items + info.itemIDs.firstIndex(of: "ARC")!], 0.504266, accuracy: 1e-6)
        XCTAssertEqual(values[llama * info.items + info.itemIDs.firstIndex(of: "IFEval")!], 0.24)
        XCTAssertTrue(values[bloom * info.items + info.itemIDs.firstIndex(of: "IFEval")!].isNaN)

        // Covariates keep the file's units and say which.
        XCTAssertEqual(info.params![bloom], 176.0)
        XCTAssertEqual(info.tokens![llama], 1.0)
        XCTAssertEqual(info.flops![llama], 78.0)
        XCTAssertEqual(try file.stringAttribute("units", on: "/models/params"), "billions")
        XCTAssertEqual(try file.doubleAttribute("scale", on: "/models/params"), 1e9)
        XCTAssertEqual(try file.doubleAttribute("scale", on: "/models/tokens"), 1e12)
        XCTAssertEqual(try file.doubleAttribute("scale", on: "/models/flops"), 1e21)
        XCTAssertEqual(try file.stringAttribute("source_column", on: "/models/flops"), "FLOPs (1E21)")
    }

    func testItemSelectionAndBenchmarkMap() throws {
        let out = path("bbh.h5")
        _ = try TableIngest(input: IngestTestCase.leaderboard, output: out, items: ["IFEval"], itemsMatching: "^bbh_",
                        benchmarkMap: try BenchmarkMap.load("bbh_*=bbh")).run()
        let info = try ResponseFileInfo.read(out)
        let (header, _) = try TableIngestTests.split(IngestTestCase.leaderboard)
        XCTAssertEqual(info.itemIDs, header.filter { $0 == "IFEval" || $0.hasPrefix("bbh_") })
        XCTAssertEqual(Set(info.benchmarks), ["IFEval", "bbh"])
        XCTAssertNil(info.floor)
        // Columns that are not scores, used as items: parameter counts (out of
        // range) and dates (not numbers); the first offending row is named.
        let (_, rows) = try TableIngestTests.split(IngestTestCase.leaderboard)
        let size = header.firstIndex(of: "#Params (B)")!, date = header.firstIndex(of: "date")!
        let big = rows.firstIndex { Double($0[size]).map { $0 > 1 } ?? false }!
        let dated = rows.firstIndex { !$0[date].isEmpty }!
        // Rows are on lines 2, 3, … (the file has no quoted line breaks).
        assertThrows(["column #Params (B), line \(big + 2)", "model \"\(rows[big][1])\"", "[0, 1]", rows[big][size]]) {
            try TableIngest(input: IngestTestCase.leaderboard, output: path("size.h5"), items: ["#Params (B)", "ARC"]).run()
        }
        assertThrows(["column date, line \(dated + 2)", "model \"\(rows[dated][1])\"", "expected a number", rows[dated][date]]) {
            try TableIngest(input: IngestTestCase.leaderboard, output: path("date.h5"), itemsMatching: "^(date|ARC)$").run()
        }
        assertThrows(["--items", "no column \"Nope\""]) {
            try TableIngest(input: IngestTestCase.leaderboard, output: path("x.h5"), items: ["Nope"]).run()
        }
    }

    func testBadCellsAndDuplicateModelsNameRowAndColumn() throws {
        let header = "model,family,size (B),q1,q2\n"
        let cases: [(String, [String])] = [
            // The messages are Store's CSVTable ones: file, column, line (the header is line 1).
            (header + "a,f,1,0.5,0.25\nb,f,2,high,0.5\n", ["column q1, line 3", "model \"b\"", "'high'"]),
            (header + "a,f,1,0.5,1.5\n", ["column q2, line 2", "[0, 1]", "1.5"]),
            (header + "a,f,1,0.5,-0.1\n", ["column q2, line 2", "[0, 1]"]),
            (header + "a,f,1,0.5,0.1\nb,f,2,,\na,g,3,0.2,0.3\n", ["column model, line 4", "model \"a\"", "line 2", "unique"]),
            (header + "a,f,x,0.5,0.1\n", ["column size (B), line 2", "'x'"]),
            (header + "a,f,1,0.5\n", ["line 2", "expected 5 fields"]),
            (header + ",f,1,0.5,0.1\n", ["column model, line 2", "empty model name"]),
            (header + "a,\"f\ng\",1,0.5,0.2\nb,f,2,x,0.1\n", ["column q1, line 4", "'x'"]),  // a quoted line break counts
            (header + "a,f,inf,0.5,0.1\n", ["column size (B), line 2", "finite"]),
        ]
        for (index, (text, fragments)) in cases.enumerated() {
            let csv = try write("bad-\(index).csv", text)
            let out = path("bad-\(index).h5")
            assertThrows([csv] + fragments) {
                try TableIngest(input: csv, output: out, familyColumn: "family", paramsColumn: "size (B)").run()
            }
            XCTAssertFalse(FileManager.default.fileExists(atPath: out), "an error left \(out)")
        }
        // Empty cells and NaN are missing, not errors; default items are the non-metadata columns.
        let good = try write("good.csv", header + "a,f,1,0.5,\nb,f,2,NaN,1\n")
        _ = try TableIngest(input: good, output: path("good.h5"), familyColumn: "family", paramsColumn: "size (B)").run()
        let info = try ResponseFileInfo.read(path("good.h5"))
        XCTAssertEqual(info.itemIDs, ["q1", "q2"])
        XCTAssertEqual(info.params, [1, 2])
    }

    func testAppendingAnotherTableAlignsColumnsAndChecksUnits() throws {
        let first = try write("one.csv", "model,P (B),q1,q2\na,1,0.5,0.25\n")
        let second = try write("two.csv", "model,P (B),q2,q3\nb,2,0.75,1\n")
        let other = try write("three.csv", "model,P (M),q2\nc,2,0.75\n")
        let out = path("tables.h5")
        _ = try TableIngest(input: first, output: out, paramsColumn: "P (B)").run()
        _ = try TableIngest(input: second, output: out, paramsColumn: "P (B)", append: true).run()
        let (info, rows) = try LmEvalIngestTests.matrix(out)
        XCTAssertEqual(info.itemIDs, ["q1", "q2", "q3"])
        XCTAssertEqual(rows["a"]!["q2"], 0.25)
        XCTAssertTrue(rows["a"]!["q3"]!.isNaN)
        XCTAssertTrue(rows["b"]!["q1"]!.isNaN)
        XCTAssertEqual(rows["b"]!["q2"], 0.75)
        XCTAssertEqual(info.params, [1, 2])
        assertThrows(["billions", "millions"]) {
            try TableIngest(input: other, output: out, paramsColumn: "P (M)", append: true).run()
        }
        assertThrows(["line 2", "model \"a\"", "already in the file"]) {
            try TableIngest(input: first, output: out, paramsColumn: "P (B)", append: true).run()
        }
    }

    /// `--questions`: scores become successes out of each benchmark's
    /// questions (round(y·n)/n, n in /trials, 0 where missing): a
    /// `proportion` file; a benchmark without a count, a bad count and an
    /// append are errors naming the file.
    func testQuestionCountsMakeSuccessesOutOfTrials() throws {
        let table = try write("scores.csv", "model,q1,q2,q3\na,0.5,0.333,\nb,0.25,1,0.1\n")
        let counts = try write("questions.csv", "benchmark,questions\nb1,4\nb2,3\n")
        let map = try BenchmarkMap.load("q1=b1,q2=b2,q3=b2")
        let out = path("counts.h5")
        let summary = try TableIngest(input: table, output: out, benchmarkMap: map, questions: counts).run()
        XCTAssertEqual(summary.kind, .proportion)
        let info = try ResponseFileInfo.read(out)
        XCTAssertEqual(info.kind, .proportion)
        XCTAssertTrue(info.hasTrials)
        let file = try H5File(out, mode: .readOnly)
        defer { file.close() }
        var values = [Float](repeating: 0, count: 6), trials = [Int32](repeating: 0, count: 6)
        try values.withUnsafeMutableBufferPointer { try file.readRows(ResponseLayout.responses, rowStart: 0, rowCount: 2, into: $0) }
        try trials.withUnsafeMutableBufferPointer { try file.readRows(ResponseLayout.trials, rowStart: 0, rowCount: 2, into: $0) }
        XCTAssertEqual(Array(values.prefix(2)), [0.5, 1 / 3])     // 0.333 of 3 questions is 1 success
        XCTAssertTrue(values[2].isNaN)
        XCTAssertEqual(Array(values.suffix(3)), [0.25, 1, 0])       // 0.1 of 3 rounds to 0 successes
        XCTAssertEqual(trials, [4, 3, 0, 4, 3, 3])

        assertThrows(["questions.csv", "no question count for benchmark \"q3\""]) {
            try TableIngest(input: table, output: path("no-count.h5"), benchmarkMap: try BenchmarkMap.load("q1=b1,q2=b2"), questions: counts).run()
        }
        let bad = try write("bad.csv", "benchmark,questions\nb1,4.5\nb2,3\n")
        assertThrows(["bad.csv", "column questions, line 2", "b1", "positive whole number"]) {
            try TableIngest(input: table, output: path("bad.h5"), benchmarkMap: map, questions: bad).run()
        }
        assertThrows(["questions.csv", "cannot be appended"]) {
            try TableIngest(input: table, output: out, benchmarkMap: map, questions: counts, append: true).run()
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("no-count.h5")))
    }
}
