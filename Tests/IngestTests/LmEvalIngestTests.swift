import Foundation
import Ingest
import Store
import XCTest

/// `LmEvalIngest` end to end on the real exports: the file it writes is
/// compared with values computed here from Foundation's reading of the
/// same JSONL (softmax of the gold choice, acc, exact_match, 1/choices).
final class LmEvalIngestTests: IngestTestCase {
    /// What Foundation reads from one model's export: per `<task>/<doc_id>`
    /// key, the expected probability, binary value and floor (first record per doc_id).
    struct Expected {
        var probability: [String: Float] = [:]
        var binary: [String: Float] = [:]
        var floor: [String: Double] = [:]
        var tasks: [String] = []
    }

    static func expected(_ directory: String) throws -> Expected {
        var e = Expected()
        let files = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".jsonl") }.sorted()
        for name in files {
            let path = (directory as NSString).appendingPathComponent(name)
            let task = IngestTestCase.task(of: path)
            e.tasks.append(task)
            for line in try lines(path) {
                let object = try json(line)
                let key = "\(task)/\(object["doc_id"]!)"
                if e.floor[key] != nil { continue }  // a repeated doc_id (another filter): the first counts
                if let pairs = object["filtered_resps"] as? [[Any]] {
                    let lls = pairs.map { double($0[0])! }
                    let gold: Int
                    if task.contains("winogrande") {
                        gold = Int((object["doc"] as! [String: Any])["answer"] as! String)! - 1
                    } else if task.contains("truthfulqa") {
                        gold = 0
                    } else {
                        gold = Int("\(object["target"]!)")!
                    }
                    let top = lls.max()!
                    let total = lls.reduce(0) { $0 + exp($1 - top) }
                    e.probability[key] = Float(exp(lls[gold] - top) / total)
                    e.binary[key] = Float(double(object["acc"])!)
                    e.floor[key] = 1 / Double(lls.count)
                } else {
                    e.probability[key] = Float(double(object["exact_match"])!)
                    e.binary[key] = e.probability[key]
                    e.floor[key] = 0
                }
            }
        }
        return e
    }

    /// The rows of a response file, by model name and item key.
    static func matrix(_ path: String) throws -> (info: ResponseFileInfo, rows: [String: [String: Float]]) {
        let info = try ResponseFileInfo.read(path)
        let file = try H5File(path, mode: .readOnly)
        defer { file.close() }
        var values = [Float](repeating: 0, count: info.models * info.items)
        try values.withUnsafeMutableBufferPointer {
            try file.readRows(ResponseLayout.responses, rowStart: 0, rowCount: info.models, into: $0)
        }
        var rows: [String: [String: Float]] = [:]
        for (m, name) in info.modelNames.enumerated() {
            var row: [String: Float] = [:]
            for (j, id) in info.itemIDs.enumerated() { row[ItemCatalog.split(id).key] = values[m * info.items + j] }
            rows[name] = row
        }
        return (info, rows)
    }

    func testRealExportBecomesOneRowWithEveryQuestion() throws {
        let out = path("pythia.h5")
        let summary = try LmEvalIngest(paths: [IngestTestCase.harnessRoot], output: out).run()
        let expected = try LmEvalIngestTests.expected(IngestTestCase.pythiaDirectory)
        let (info, rows) = try LmEvalIngestTests.matrix(out)

        XCTAssertEqual(info.kind, .probability)
        XCTAssertEqual(info.modelNames, ["EleutherAI/pythia-14m"])
        XCTAssertEqual(info.items, expected.floor.count)
        XCTAssertEqual(Set(info.benchmarks), Set(expected.tasks))
        XCTAssertEqual(summary.repeatedRecords, 249)  // gsm8k: 498 lines, 249 distinct doc_ids (one line per filter)
        for (j, id) in info.itemIDs.enumerated() {
            let key = ItemCatalog.split(id).key
            XCTAssertEqual(info.benchmarks[j], String(key[..<key.lastIndex(of: "/")!]))
            XCTAssertEqual(info.floor?[j], expected.floor[key], key)
            XCTAssertNotNil(ItemCatalog.split(id).hash, "\(id) has no question hash")
        }
        let row = try XCTUnwrap(rows["EleutherAI/pythia-14m"])
        for (key, p) in expected.probability {
            XCTAssertEqual(row[key]!, p, accuracy: 1e-6, key)
        }
        // Extendible, so it can be appended to later.
        let file = try H5File(out, mode: .readOnly)
        XCTAssertTrue(try file.isExtendible(ResponseLayout.responses))
        XCTAssertTrue(try file.isExtendible(ResponseLayout.itemIDs))
        file.close()

        let binaryOut = path("pythia-binary.h5")
        _ = try LmEvalIngest(paths: [IngestTestCase.pythiaDirectory], output: binaryOut,
                         scoring: ResponseScoring(mode: .binary)).run()
        let (binaryInfo, binaryRows) = try LmEvalIngestTests.matrix(binaryOut)
        XCTAssertEqual(binaryInfo.kind, .binary)
        for (key, acc) in expected.binary { XCTAssertEqual(binaryRows["EleutherAI/pythia-14m"]![key], acc, key) }
    }

    /// Two models' exports of the same tasks align column by column even when
    /// written differently (numbers vs strings, other escaping); a model
    /// without a task has NaN there; the benchmark map groups tasks.
    func testModelsAlignAndMissingTasksAreMissing() throws {
        let b = try variant("org__model-b", shift: { i, k in Double((i * 7 + k * 3) % 5) * 0.4 },
                            keep: { !$0.contains("gsm8k") })
        let out = path("two.h5")
        let map = try BenchmarkMap.load("*winogrande*=winogrande")
        let summary = try LmEvalIngest(paths: [IngestTestCase.harnessRoot, b], output: out, benchmarkMap: map).run()
        let (info, rows) = try LmEvalIngestTests.matrix(out)
        XCTAssertEqual(info.modelNames, ["EleutherAI/pythia-14m", "org/model-b"])
        XCTAssertEqual(summary.newItems, info.items)
        let expectedB = try LmEvalIngestTests.expected(b)
        let real = try LmEvalIngestTests.expected(IngestTestCase.pythiaDirectory)
        XCTAssertEqual(info.items, real.floor.count, "model b brought no new items: its questions are the same")
        let rowB = rows["org/model-b"]!
        for (key, value) in rowB {
            if let p = expectedB.probability[key] {
                XCTAssertEqual(value, p, accuracy: 1e-6, key)
            } else {
                XCTAssertTrue(key.contains("gsm8k") && value.isNaN, "\(key): \(value)")
            }
        }
        XCTAssertEqual(Set(info.benchmarks).sorted(),
                       ["metabench_arc_secondary", "metabench_gsm8k_secondary", "metabench_hellaswag_secondary",
                        "metabench_mmlu_secondary", "metabench_truthfulqa_secondary", "winogrande"])
    }

    func testSameDocIDWithAnotherQuestionIsAnErrorNamingBothFiles() throws {
        let c = try variant("org__model-c", keep: { $0.contains("arc") }) { object, index in
            if index == 4 {
                var doc = object["doc"] as! [String: Any]
                doc["question"] = "A different question"
                object["doc"] = doc
            }
        }
        let out = path("clash.h5")
        let real = IngestTestCase.pythiaFiles.first { $0.contains("arc") }!
        assertThrows([real, "\(c)/samples_metabench_arc_secondary", "line 5", "metabench_arc_secondary/4", "different questions"]) {
            try LmEvalIngest(paths: [IngestTestCase.pythiaDirectory, c], output: out).run()
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: out), "no output after an error")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.contains(".tmp-") }, [])
    }

    func testMalformedLinesStopWithFileAndLineOrAreSkippedAndCounted() throws {
        let source = IngestTestCase.pythiaFiles.first { $0.contains("hellaswag") }!
        var lines = try IngestTestCase.lines(source)
        lines[6] = String(lines[6].prefix(lines[6].utf8.count / 2))   // line 7 cut in the middle
        lines[11] = lines[11].replacingOccurrences(of: "\"doc_id\"", with: "\"doc_idx\"")  // line 12: doc_id missing
        let name = (source as NSString).lastPathComponent
        let bad = try write("bad/org__m/\(name)", lines.joined(separator: "\n") + "\n")
        let out = path("bad.h5")
        assertThrows([bad, "line 7", "malformed JSON"]) { try LmEvalIngest(paths: [path("bad")], output: out).run() }
        XCTAssertFalse(FileManager.default.fileExists(atPath: out))

        let summary = try LmEvalIngest(paths: [path("bad")], output: out, skipBadLines: true).run()
        XCTAssertEqual(summary.badLines, 2)
        let (info, _) = try LmEvalIngestTests.matrix(out)
        XCTAssertEqual(info.items, lines.count - 2)
        XCTAssertNil(info.itemIDs.first { $0.hasPrefix("metabench_hellaswag_secondary/6#") }, "the skipped doc is absent")
    }

    /// Newer harness versions log one line per filter with a `filter` field:
    /// without --filter the first line of each doc counts, with it that filter's.
    func testFilterSelectsTheLinesOfOneFilter() throws {
        var text = ""
        for doc in 0..<3 {
            for (filter, match) in [("strict-match", 0), ("flexible-extract", 1)] {
                text += #"{"doc_id": \#(doc), "doc": {"question": "q\#(doc)"}, "target": "a", "filtered_resps": ["x"], "#
                    + #""filter": "\#(filter)", "exact_match": \#(match)}"# + "\n"
            }
        }
        try write("filters/org__m/samples_gsm8k_2024-01-01T00-00-00.000001.jsonl", text)
        for (filter, expected) in [(nil, Float(0)), ("strict-match", 0), ("flexible-extract", 1)] {
            let out = path("filter-\(filter ?? "none").h5")
            let summary = try LmEvalIngest(paths: [path("filters")], output: out, filter: filter).run()
            let (info, rows) = try LmEvalIngestTests.matrix(out)
            XCTAssertEqual(info.items, 3)
            XCTAssertEqual(summary.repeatedRecords, filter == nil ? 3 : 0)
            XCTAssertEqual(Set(rows["org/m"]!.values), [expected], "\(filter ?? "no filter")")
            XCTAssertEqual(info.floor, [0, 0, 0])
        }
    }

    /// --append adds rows and columns; existing rows keep their values and
    /// read NaN in the new columns; a model already present needs --replace;
    /// a failed append leaves the file byte for byte as it was.
    func testAppendAddsModelsAndItemsAndNeedsReplaceForKnownModels() throws {
        let out = path("grow.h5")
        _ = try LmEvalIngest(paths: [IngestTestCase.pythiaDirectory], output: out, tasks: GlobList("*arc*,*mmlu*")).run()
        let before = try LmEvalIngestTests.matrix(out)

        let b = try variant("org__model-b", shift: { i, k in Double((i + k) % 3) })
        let summary = try LmEvalIngest(paths: [b], output: out, append: true).run()
        XCTAssertEqual(summary.outcome, .appended)
        let after = try LmEvalIngestTests.matrix(out)
        XCTAssertEqual(after.info.modelNames, ["EleutherAI/pythia-14m", "org/model-b"])
        XCTAssertEqual(Array(after.info.itemIDs.prefix(before.info.items)), before.info.itemIDs, "existing columns keep their place")
        XCTAssertGreaterThan(after.info.items, before.info.items)
        let real = after.rows["EleutherAI/pythia-14m"]!
        for (key, value) in real {
            if let old = before.rows["EleutherAI/pythia-14m"]![key] {
                XCTAssertEqual(value, old, key)
            } else {
                XCTAssertTrue(value.isNaN, "\(key): a new column reads \(value) for the old model")
            }
        }
        let expectedB = try LmEvalIngestTests.expected(b)
        for (key, p) in expectedB.probability { XCTAssertEqual(after.rows["org/model-b"]![key]!, p, accuracy: 1e-6, key) }

        let bytes = try Data(contentsOf: URL(fileURLWithPath: out))
        assertThrows(["org/model-b", "already in the file", "--replace"]) {
            try LmEvalIngest(paths: [b], output: out, append: true).run()
        }
        assertThrows(["binary", "probability"]) {
            try LmEvalIngest(paths: [b], output: out, model: "other", scoring: ResponseScoring(mode: .binary), append: true).run()
        }
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: out)), bytes, "a refused append changed the file")

        let b2 = try variant("again/org__model-b", shift: { _, k in Double(k) })
        let replaced = try LmEvalIngest(paths: [b2], output: out, append: true, replace: true).run()
        XCTAssertEqual(replaced.replacedModels, ["org/model-b"])
        let last = try LmEvalIngestTests.matrix(out)
        XCTAssertEqual(last.info.models, 2)
        for (key, p) in try LmEvalIngestTests.expected(b2).probability {
            XCTAssertEqual(last.rows["org/model-b"]![key]!, p, accuracy: 1e-6, key)
        }
    }

    /// A fixed-size file (as simulate writes) is rewritten into the extendible
    /// layout block by block, keeping every value, then appended to.
    func testAppendToAFixedSizeFileRewritesIt() throws {
        let out = path("fixed.h5")
        let old: [Float] = [1, 0, .nan, 1, 0, 0, 1, 1]
        let info = ResponseFileInfo(path: out, models: 2, items: 4, kind: .binary, hasTrials: false,
                                    modelNames: ["old-1", "old-2"], families: ["f", "g"], params: [1e9, .nan],
                                    itemIDs: ["q1", "q2", "q3", "q4"], benchmarks: ["toy", "toy", "toy", "toy"])
        try writeAtomically(out) { file in
            try writeResponseMetadata(file, info: info)
            try createResponseMatrices(file, info: info)
            try old.withUnsafeBufferPointer { try file.writeRows("/responses", rowStart: 0, rowCount: 2, floats: $0) }
        }
        var messages: [String] = []
        let summary = try LmEvalIngest(paths: [IngestTestCase.pythiaDirectory], output: out,
                                       scoring: ResponseScoring(mode: .binary), append: true).run { messages.append($0) }
        XCTAssertEqual(summary.outcome, .rewritten)
        XCTAssertTrue(messages.joined().contains("fixed-size"), "\(messages)")
        let after = try LmEvalIngestTests.matrix(out)
        XCTAssertEqual(after.info.modelNames, ["old-1", "old-2", "EleutherAI/pythia-14m"])
        XCTAssertEqual(after.info.families, ["f", "g", ""])
        XCTAssertEqual(after.info.params?[0], 1e9)
        XCTAssertTrue(after.info.params![2].isNaN)
        for (m, name) in ["old-1", "old-2"].enumerated() {
            for (j, id) in ["q1", "q2", "q3", "q4"].enumerated() {
                let value = after.rows[name]![id]!, expected = old[m * 4 + j]
                XCTAssertTrue(value == expected || (value.isNaN && expected.isNaN), "\(name) \(id): \(value) vs \(expected)")
            }
            XCTAssertEqual(after.rows[name]!.values.filter { !$0.isNaN }.count, old[(m * 4)..<(m * 4 + 4)].filter { !$0.isNaN }.count)
        }
        XCTAssertEqual(after.info.floor?.prefix(4).map { $0 }, [0, 0, 0, 0])
        let file = try H5File(out, mode: .readOnly)
        XCTAssertTrue(try file.isExtendible(ResponseLayout.responses))
        file.close()
    }
}
