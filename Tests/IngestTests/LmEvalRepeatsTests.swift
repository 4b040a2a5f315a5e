import Foundation
import Ingest
import Store
import XCTest

/// lm-evaluation-harness tasks with `repeats: k` (k answers per doc, as in
/// `gsm8k_cot_self_consistency`). No real export has them (the
/// harness-exports README), so the records are written here the way the
/// harness's `evaluate()` logs them (v0.4.7+): `resps` holds the k raw
/// answers of the doc's one request, `filtered_resps` what the filter made
/// of them (one answer after `take_first`/`majority_vote`, the k extracted
/// answers after a filter that keeps them), one line per doc per filter,
/// then `filter`, `metrics`, the hashes and the metric.
final class LmEvalRepeatsTests: IngestTestCase {
    /// Per doc: the k answers, and the gold answer.
    static let docs: [(answers: [String], gold: String)] = [
        (["18", "18", "17", "18"], "18"),
        (["3", "4", "4", "[invalid]"], "3"),
        (["72", "72", "72", "72"], "72"),
        (["5", "6", "7", "8"], "9"),
        (["10", "12", "12", "10"], "12"),
    ]

    /// One samples line, as the harness writes it (leaves of resps stringified).
    static func line(doc: Int, filter: String, filtered: Any, exactMatch: Any) throws -> String {
        let (answers, gold) = docs[doc]
        let record: [(String, Any)] = [
            ("doc_id", doc),
            ("doc", ["question": "Question \(doc): what is \(gold)?", "answer": "Because.\n#### \(gold)"]),
            ("target", gold),
            ("arguments", ["gen_args_0": ["arg_0": "Q: Question \(doc)\nA:", "arg_1": ["until": ["Q:"], "do_sample": "true"]]]),
            ("resps", [answers.map { "The answer is \($0)." }]),
            ("filtered_resps", filtered),
            ("filter", filter),
            ("metrics", ["exact_match"]),
            ("doc_hash", String(repeating: "a", count: 64)),
            ("prompt_hash", String(repeating: "b", count: 64)),
            ("target_hash", String(repeating: "c", count: 64)),
            ("exact_match", exactMatch),
        ]
        // JSONSerialization sorts nothing but loses key order; build the object text by hand, key by key.
        return "{" + (try record.map { key, value in
            let data = try JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed, .sortedKeys])
            return "\"\(key)\": " + String(decoding: data, as: UTF8.self)
        }).joined(separator: ", ") + "}"
    }

    /// The majority answer (ties: the first seen), as majority_vote picks.
    static func majority(_ answers: [String]) -> String {
        var counts: [String: Int] = [:]
        for a in answers { counts[a, default: 0] += 1 }
        return answers.max { counts[$0]! < counts[$1]! || (counts[$0]! == counts[$1]! && answers.firstIndex(of: $0)! > answers.firstIndex(of: $1)!) }!
    }

    /// A samples file with the given filters, each doc once per filter (first filter's rows first).
    func samples(_ filters: [String], name: String = "samples_gsm8k_sc_2025-01-01T00-00-00.000000.jsonl") throws -> String {
        var lines: [String] = []
        for filter in filters {
            for (d, (answers, gold)) in LmEvalRepeatsTests.docs.enumerated() {
                switch filter {
                case "all-answers":  // regex only: the k extracted answers stay, exact_match is their mean
                    let correct = answers.filter { $0 == gold }.count
                    lines.append(try LmEvalRepeatsTests.line(doc: d, filter: filter, filtered: [answers],
                                                             exactMatch: Double(correct) / Double(answers.count)))
                case "per-repeat":  // a metric that returns one value per repeat
                    lines.append(try LmEvalRepeatsTests.line(doc: d, filter: filter, filtered: [answers],
                                                             exactMatch: answers.map { $0 == gold ? 1.0 : 0.0 }))
                case "score-first":
                    lines.append(try LmEvalRepeatsTests.line(doc: d, filter: filter, filtered: [answers[0]],
                                                             exactMatch: answers[0] == gold ? 1.0 : 0.0))
                default:  // maj@k
                    let vote = LmEvalRepeatsTests.majority(answers)
                    lines.append(try LmEvalRepeatsTests.line(doc: d, filter: filter, filtered: [vote],
                                                             exactMatch: vote == gold ? 1.0 : 0.0))
                }
            }
        }
        return try write("org__model/" + name, lines.joined(separator: "\n") + "\n")
    }

    static func trialsRow(_ file: String) throws -> [Int32] {
        let info = try ResponseFileInfo.read(file)
        let h5 = try H5File(file, mode: .readOnly)
        defer { h5.close() }
        var trials = [Int32](repeating: -1, count: info.items)
        try trials.withUnsafeMutableBufferPointer { try h5.readRows(ResponseLayout.trials, rowStart: 0, rowCount: 1, into: $0) }
        return trials
    }

    /// A filter that keeps the k answers: successes out of k trials per doc, a proportion file.
    func testKeptAnswersBecomeSuccessesOutOfRepeats() throws {
        _ = try samples(["all-answers", "maj@4"])
        let out = path("sc.h5")
        var notes: [String] = []
        let summary = try LmEvalIngest(paths: [directory.path], output: out).run { notes.append($0) }
        XCTAssertEqual(summary.kind, .proportion)
        let (info, rows) = try LmEvalIngestTests.matrix(out)
        XCTAssertEqual(info.kind, .proportion)
        XCTAssertEqual(info.items, 5)
        XCTAssertEqual(try LmEvalRepeatsTests.trialsRow(out), [4, 4, 4, 4, 4])
        for (d, (answers, gold)) in LmEvalRepeatsTests.docs.enumerated() {
            let correct = answers.filter { $0 == gold }.count
            XCTAssertEqual(rows["org/model"]!["gsm8k_sc/\(d)"]!, Float(correct) / 4, "doc \(d)")
        }
        XCTAssertTrue(notes.contains { $0.contains("repeats 4, each answer scored: successes out of 4 trials") }, "\(notes)")
        XCTAssertTrue(notes.contains { $0.contains("used all-answers") }, "\(notes)")
    }

    /// A list-valued exact_match (one value per repeat) counts the same way.
    func testPerRepeatMetricListBecomesCounts() throws {
        _ = try samples(["per-repeat"])
        let out = path("list.h5")
        try LmEvalIngest(paths: [directory.path], output: out).run()
        let (info, rows) = try LmEvalIngestTests.matrix(out)
        XCTAssertEqual(info.kind, .proportion)
        XCTAssertEqual(try LmEvalRepeatsTests.trialsRow(out), [4, 4, 4, 4, 4])
        XCTAssertEqual(rows["org/model"]!["gsm8k_sc/1"]!, 0.25)
    }

    /// Filters that reduce the k answers to one give one 0/1 value per doc (said); --filter picks.
    func testReducingFiltersGiveOneValuePerDoc() throws {
        _ = try samples(["score-first", "maj@4", "all-answers"])
        let first = path("first.h5")
        var notes: [String] = []
        try LmEvalIngest(paths: [directory.path], output: first).run { notes.append($0) }
        let (info, rows) = try LmEvalIngestTests.matrix(first)
        XCTAssertEqual(info.kind, .probability)  // --response probability (default); 0/1 values
        XCTAssertEqual((0..<5).map { rows["org/model"]!["gsm8k_sc/\($0)"]! }, [1, 1, 1, 0, 0])
        XCTAssertTrue(notes.contains { $0.contains("repeats 4, reduced to one answer per doc by the filter (score-first)") }, "\(notes)")
        let vote = path("vote.h5")
        try LmEvalIngest(paths: [directory.path], output: vote, scoring: ResponseScoring(mode: .binary), filter: "maj@4").run()
        let voted = try LmEvalIngestTests.matrix(vote)
        XCTAssertEqual(voted.info.kind, .binary)
        XCTAssertEqual((0..<5).map { voted.rows["org/model"]!["gsm8k_sc/\($0)"]! }, [1, 0, 1, 0, 0])
        // The third filter keeps the answers: chosen with --filter, the file becomes counts.
        let all = path("all.h5")
        try LmEvalIngest(paths: [directory.path], output: all, filter: "all-answers").run()
        XCTAssertEqual(try ResponseFileInfo.read(all).kind, .proportion)
    }

    /// Repeats beside ordinary tasks: the multiple-choice items of a real export get trials 1.
    func testRepeatsBesideMultipleChoiceTasks() throws {
        _ = try samples(["all-answers"])
        let winogrande = IngestTestCase.pythiaFiles.first { $0.contains("winogrande_secondary") }!
        try FileManager.default.copyItem(atPath: winogrande,
                                         toPath: path("org__model/" + (winogrande as NSString).lastPathComponent))
        let out = path("mixed.h5")
        try LmEvalIngest(paths: [directory.path], output: out).run()
        let info = try ResponseFileInfo.read(out)
        XCTAssertEqual(info.kind, .proportion)
        let trials = try LmEvalRepeatsTests.trialsRow(out)
        for (j, id) in info.itemIDs.enumerated() {
            XCTAssertEqual(trials[j], id.hasPrefix("gsm8k_sc/") ? 4 : 1, id)
        }
    }

    /// A fraction that is no multiple of 1/k is an error naming the line and the field.
    func testFractionNotAMultipleOfOneOverKIsAnError() throws {
        let text = try LmEvalRepeatsTests.line(doc: 0, filter: "all-answers", filtered: [LmEvalRepeatsTests.docs[0].answers], exactMatch: 0.3)
        let file = try write("bad/samples_gsm8k_sc.jsonl", text + "\n")
        assertThrows([file, "line 1", "exact_match", "1/4", "0.3"]) {
            try LmEvalIngest(paths: [file], output: path("bad.h5"), model: "m").run()
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("bad.h5")))
    }
}
