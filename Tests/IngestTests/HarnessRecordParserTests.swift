import Foundation
import Ingest
import XCTest

/// The record parser on the real harness exports, checked against facts the
/// files carry independently of our parser: the harness's own `acc` (= gold
/// choice has the highest log-likelihood), its `acc_norm`, and Foundation's
/// JSONSerialization reading the same lines.
final class HarnessRecordParserTests: IngestTestCase {
    var multipleChoiceFiles: [String] { IngestTestCase.pythiaFiles.filter { !$0.contains("gsm8k") } }

    /// The parser check of the data README: in every multiple-choice file,
    /// acc == 1 exactly when the gold choice has the highest log-likelihood
    /// (first on ties, as np.argmax). A wrong gold rule, a misread
    /// log-likelihood or a misread acc breaks it.
    func testAccIsOneExactlyWhenTheGoldChoiceHasTheHighestLoglikelihood() throws {
        var checked = 0, correct = 0
        for file in multipleChoiceFiles {
            let task = IngestTestCase.task(of: file)
            for (index, line) in try IngestTestCase.lines(file).enumerated() {
                let record = try IngestTestCase.parse(line, task: task)
                XCTAssertEqual(record.kind, .multipleChoice)
                let acc = try XCTUnwrap(record.acc, "\(file):\(index + 1)")
                XCTAssertEqual(acc == 1, record.argmaxChoice == record.gold,
                               "\(file):\(index + 1): acc \(acc), gold \(record.gold), lls \(record.loglikelihoods)")
                checked += 1
                if acc == 1 { correct += 1 }
            }
        }
        // Every line of every multiple-choice file was checked, and both outcomes occur.
        let expectedLines = try multipleChoiceFiles.reduce(0) { $0 + (try IngestTestCase.lines($1).count) }
        XCTAssertEqual(checked, expectedLines)
        XCTAssertGreaterThan(correct, 0)
        XCTAssertLessThan(correct, checked)
    }

    /// The same check for acc_norm (arc, hellaswag) with the continuation lengths.
    func testAccNormMatchesTheLengthNormalisedArgmax() throws {
        var checked = 0
        for file in multipleChoiceFiles where file.contains("arc") || file.contains("hellaswag") {
            let task = IngestTestCase.task(of: file)
            for line in try IngestTestCase.lines(file) {
                let record = try IngestTestCase.parse(line, task: task, lengths: true)
                let accNorm = try XCTUnwrap(record.accNorm)
                XCTAssertEqual(record.continuationLengths.count, record.loglikelihoods.count)
                XCTAssertEqual(accNorm == 1, record.argmaxNormalisedChoice == record.gold, "\(task) doc \(record.docID)")
                checked += 1
            }
        }
        XCTAssertEqual(checked, 158)  // 100 arc + 58 hellaswag lines (wc -l)
    }

    /// Our values equal what JSONSerialization reads from the same lines:
    /// doc_id, every log-likelihood, the number of choices, exact_match.
    func testFieldsAgreeWithFoundationOnEveryLine() throws {
        for file in IngestTestCase.pythiaFiles {
            let task = IngestTestCase.task(of: file)
            for line in try IngestTestCase.lines(file) {
                let ours = try IngestTestCase.parse(line, task: task)
                let theirs = try IngestTestCase.json(line)
                XCTAssertEqual(ours.docID, "\(theirs["doc_id"]!)")
                if let pairs = theirs["filtered_resps"] as? [[Any]] {
                    XCTAssertEqual(ours.loglikelihoods, pairs.map { IngestTestCase.double($0[0])! })
                    XCTAssertEqual(ours.floor, 1 / Double(pairs.count))
                } else {
                    XCTAssertEqual(ours.kind, .generation)
                    XCTAssertEqual(ours.exactMatch, IngestTestCase.double(theirs["exact_match"]))
                    XCTAssertEqual(ours.floor, 0)
                }
            }
        }
    }

    /// The gold rules the README describes, on real lines: mmlu/arc/hellaswag
    /// from target, winogrande doc.answer − 1, truthfulqa mc1 choice 0.
    func testGoldRulesPerTask() throws {
        for file in multipleChoiceFiles {
            let task = IngestTestCase.task(of: file)
            for line in try IngestTestCase.lines(file).prefix(20) {
                let record = try IngestTestCase.parse(line, task: task)
                let object = try IngestTestCase.json(line)
                let doc = object["doc"] as! [String: Any]
                if task.contains("winogrande") {
                    XCTAssertEqual(record.gold, Int(doc["answer"] as! String)! - 1)
                } else if task.contains("truthfulqa") {
                    XCTAssertEqual(record.gold, 0)
                    // mc1 labels the correct answer 1 and lists it first.
                    let labels = (doc["mc1_targets"] as! [String: Any])["labels"] as! [Int]
                    XCTAssertEqual(labels, [1] + Array(repeating: 0, count: record.choiceCount - 1))
                } else {
                    XCTAssertEqual(record.gold, Int(object["target"] as! String))
                }
            }
        }
        XCTAssertEqual(GoldRule.forTask("winogrande"), .docAnswerMinusOne)
        XCTAssertEqual(GoldRule.forTask("truthfulqa_mc1"), .firstChoice)
        if case .unsupported = GoldRule.forTask("truthfulqa_mc2") {} else { XCTFail("mc2 must be unsupported") }
        XCTAssertEqual(GoldRule.forTask("mmlu_anatomy"), .target)
    }

    /// Exports elsewhere write scalars as numbers and escape differently:
    /// the same record re-serialised by JSONSerialization (numbers, "\/")
    /// parses to the same values and the same question hash.
    func testNumbersInsteadOfStringsGiveTheSameRecord() throws {
        for file in IngestTestCase.pythiaFiles {
            let task = IngestTestCase.task(of: file)
            for line in try IngestTestCase.lines(file).prefix(15) {
                var object = try IngestTestCase.json(line)
                if let pairs = object["filtered_resps"] as? [[Any]] {
                    object["filtered_resps"] = pairs.map { [IngestTestCase.double($0[0])!, ($0[1] as! String) == "True"] as [Any] }
                }
                for metric in ["acc", "acc_norm", "exact_match"] where object[metric] != nil {
                    object[metric] = IngestTestCase.double(object[metric])
                }
                let rewritten = String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
                let a = try IngestTestCase.parse(line, task: task)
                let b = try IngestTestCase.parse(rewritten, task: task)
                XCTAssertEqual(a.docID, b.docID)
                XCTAssertEqual(a.loglikelihoods, b.loglikelihoods)
                XCTAssertEqual(a.gold, b.gold)
                XCTAssertEqual(a.acc, b.acc)
                XCTAssertEqual(a.exactMatch, b.exactMatch)
                XCTAssertEqual(a.questionHash, b.questionHash, "\(task): escaping changed the question hash")
            }
        }
    }

    /// Older exports: no filtered_resps (only resps), arguments as a list of [context, continuation].
    func testRespsFallbackAndListArguments() throws {
        let line = #"{"doc_id": 3, "doc": {"question": "Q?", "choices": ["a", "bb"]}, "target": 1, "#
            + #""arguments": [["ctx", " a"], ["ctx", " bb"]], "resps": [[[-2.0, false]], [[-1.0, true]]], "acc": 1.0}"#
        let record = try IngestTestCase.parse(line, task: "toy", lengths: true)
        XCTAssertEqual(record.loglikelihoods, [-2, -1])
        XCTAssertEqual(record.continuationLengths, [1, 2])
        XCTAssertEqual(record.gold, 1)
        XCTAssertEqual(record.docID, "3")
    }

    func testFieldErrorsNameTheField() {
        let cases: [(String, String, String)] = [
            (#"{"doc": {"question": "q"}, "target": "0", "filtered_resps": [["-1", "False"], ["-2", "False"]]}"#, "toy", "doc_id"),
            (#"{"doc_id": 0, "doc": {"question": "q"}, "target": "7", "filtered_resps": [["-1", "False"], ["-2", "False"]]}"#, "toy", "outside the 2 choices"),
            (#"{"doc_id": 0, "doc": {"question": "q"}, "target": "x", "filtered_resps": [["-1", "False"], ["-2", "False"]]}"#, "toy", "target"),
            (#"{"doc_id": 0, "doc": {"sentence": "q", "answer": "x"}, "target": "t", "filtered_resps": [["-1", "False"], ["-2", "False"]]}"#, "winogrande", "doc.answer"),
            (#"{"doc_id": 0, "doc": {"question": "q"}, "target": "0", "filtered_resps": [["oops", "False"], ["-2", "False"]]}"#, "toy", "filtered_resps"),
            (#"{"doc_id": 0, "doc": {"question": "q"}, "target": "0", "filtered_resps": [-1.5, -2.5]}"#, "toy", "perplexity"),
            (#"{"doc_id": 0, "doc": {"question": "q"}, "target": "0"}"#, "toy", "filtered_resps"),
            (#"{"doc_id": 0, "doc": {"question": "q"}, "target": "0", "filtered_resps": [["-1", "False"], ["-2", "False"]]}"#, "truthfulqa_mc2", "several correct choices"),
        ]
        for (line, task, fragment) in cases {
            assertThrows([fragment]) { try IngestTestCase.parse(line, task: task) }
        }
    }
}
