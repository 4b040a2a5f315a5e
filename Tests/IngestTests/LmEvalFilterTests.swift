import Foundation
import Ingest
import Store
import XCTest

/// lm-evaluation-harness v0.4.7+ samples (`filter`, `metrics` keys): one doc
/// per filter, the first filter by default (and said), `--filter` to pick;
/// the row means equal the run's own `results_*.json` per "metric,filter".
final class LmEvalFilterTests: IngestTestCase {
    static let root = data("harness-exports/lm-eval-harness")

    /// Mean of the only row of `file` (one model).
    func rowMean(_ file: String) throws -> Double {
        let info = try ResponseFileInfo.read(file)
        let h5 = try H5File(file, mode: .readOnly)
        defer { h5.close() }
        var row = [Float](repeating: 0, count: info.items)
        try row.withUnsafeMutableBufferPointer { try h5.readRows(ResponseLayout.responses, rowStart: 0, rowCount: 1, into: $0) }
        return row.reduce(0) { $0 + Double($1) } / Double(info.items)
    }

    /// `results[task]["metric,filter"]` of a results file, read with JSONSerialization.
    static func aggregate(_ results: String, task: String, key: String) throws -> Double {
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: results))) as! [String: Any]
        return ((object["results"] as! [String: Any])[task] as! [String: Any])[key] as! Double
    }

    func testGsm8kFiltersMatchTheResultsFile() throws {
        let dir = LmEvalFilterTests.root + "/pmemoli__Data-Science-Thesis/src/data/benchmark_results/gsm8k"
        let results = dir + "/gsm8k-phi-3-mini_2025-08-07T11-42-40.066002.json"
        var notes: [String] = []
        let strict = path("strict.h5")
        try LmEvalIngest(paths: [dir], output: strict, model: "phi3", scoring: ResponseScoring(mode: .binary)).run { notes.append($0) }
        XCTAssertEqual(try rowMean(strict), try LmEvalFilterTests.aggregate(results, task: "gsm8k", key: "exact_match,strict-match"), accuracy: 1e-9)
        XCTAssertTrue(notes.contains { $0.contains("filters strict-match, flexible-extract; used strict-match") }, "\(notes)")
        let flexible = path("flexible.h5")
        try LmEvalIngest(paths: [dir], output: flexible, model: "phi3", scoring: ResponseScoring(mode: .binary),
                         filter: "flexible-extract").run()
        XCTAssertEqual(try rowMean(flexible), try LmEvalFilterTests.aggregate(results, task: "gsm8k", key: "exact_match,flexible-extract"), accuracy: 1e-9)
        XCTAssertNotEqual(try rowMean(strict), try rowMean(flexible))
    }

    /// The complete KT files (--limit 10 winogrande, all 154 math docs): each model's mean = its results file.
    func testCompleteFilesMatchTheirResults() throws {
        let output = LmEvalFilterTests.root + "/allenlee-37__KT-lm-evaluation-harness/output"
        let cases: [(String, String, String, String)] = [
            ("gpt-4o", "2024-12-23T14-29-31.806745", "winogrande", "exact_match,get-answer"),
            ("LGAI-EXAONE__EXAONE-3.0-7.8B-Instruct", "2024-12-23T14-45-44.695233", "winogrande", "exact_match,get-answer"),
            ("upstage__SOLAR-10.7B-Instruct-v1.0", "2024-12-23T15-04-32.131238", "winogrande", "exact_match,get-answer"),
            ("upstage__SOLAR-10.7B-Instruct-v1.0", "2024-11-14T16-01-56.818889", "leaderboard_math_num_theory_hard", "exact_match,none"),
        ]
        for (k, (model, stamp, task, key)) in cases.enumerated() {
            let samples = "\(output)/\(model)/samples_\(task)_\(stamp).jsonl"
            let out = path("kt\(k).h5")
            try LmEvalIngest(paths: [samples], output: out, model: model, scoring: ResponseScoring(mode: .binary)).run()
            let expected = try LmEvalFilterTests.aggregate("\(output)/\(model)/results_\(stamp).json", task: task, key: key)
            XCTAssertEqual(try rowMean(out), expected, accuracy: 1e-9, "\(model) \(task)")
        }
    }
}
