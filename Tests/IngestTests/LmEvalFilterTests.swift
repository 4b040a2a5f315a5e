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
        // Without --model the model is the renamed results file's model_name (gsm8k-phi-3-mini_<timestamp>.json).
        let named = path("named.h5")
        try LmEvalIngest(paths: [dir], output: named).run()
        XCTAssertEqual(try ResponseFileInfo.read(named).modelNames, ["microsoft/Phi-3-mini-4k-instruct"])
    }

    /// The complete KT files (--limit 10 winogrande, all 154 math docs): each model's mean = its results file.
    func testCompleteFilesMatchTheirResults() throws {
        let output = LmEvalFilterTests.root + "/allenlee-37__KT-lm-evaluation-harness/output"
        let cases: [(String, String, String, String)] = [
            ("gpt-4o", "2024-12-23T14-29-31.806745", "winogrande", "exact_match,get-answer"),
            ("LGAI-EXAONE__EXAONE-3.0-7.8B-Instruct", "2024-12-23T14-45-44.695233", "winogrande", "exact_match,get-answer"),
            ("upstage__SOLAR-10.7B-Instruct-v1.0", "2024-12-23T15-04-32.131238", "winogrande", "exact_match,get-answer"),
            ("upstage__SOLAR-10.7B-Instruct-v1.0", "2024-12-23T14-36-36.300029", "winogrande", "exact_match,get-answer"),
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

    /// The first filter's mean of `metric` over a samples file's distinct docs, read with JSONSerialization.
    static func ownMean(_ samples: String, metric: String) throws -> Double {
        var firstFilter: String?
        var seen = Set<Int>(), total = 0.0
        for line in try IngestTestCase.lines(samples) where !line.isEmpty {
            let record = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
            let filter = record["filter"] as? String ?? "none"
            if firstFilter == nil { firstFilter = filter }
            guard filter == firstFilter, seen.insert((record["doc_id"] as! NSNumber).intValue).inserted else { continue }
            total += (record[metric] as! NSNumber).doubleValue
        }
        return total / Double(seen.count)
    }

    /// Per model and task: the mean over that task's items of one row.
    func taskMeans(_ file: String) throws -> [String: [String: Double]] {
        let (info, rows) = try LmEvalIngestTests.matrix(file)
        var means: [String: [String: Double]] = [:]
        for (model, row) in rows {
            var sums: [String: (Double, Int)] = [:]
            for (key, value) in row where !value.isNaN {
                let task = String(key[..<key.lastIndex(of: "/")!])
                sums[task, default: (0, 0)].0 += Double(value)
                sums[task, default: (0, 0)].1 += 1
            }
            means[model] = sums.mapValues { $0.0 / Double($0.1) }
        }
        XCTAssertEqual(Set(rows.keys), Set(info.modelNames))
        return means
    }

    /// Runs of several models kept in one directory (pyFade, evaleval) are told apart by the
    /// model_name of the results file beside each samples file; every real file ingests, and
    /// each row's task mean is its own file's (these files are trimmed, so the results files'
    /// aggregates, over 100 or 5000 docs, are not theirs: the README's trap).
    func testModelsNamedByTheirResultsFilesAndEveryTrimmedFileIngests() throws {
        let pyFade = LmEvalFilterTests.root + "/DanielKluev__pyFade/tests/data"
        let cases: [(String, [String: [String]])] = [
            (pyFade + "/eval_mmlu_pro_plus", ["/workspace/gemma3_12b_u2": ["2025-10-14T14-44-39.372006"],
                                              "/workspace/gemma-3-12b-it-base": ["2025-10-14T15-11-56.507865"]]),
            (pyFade, ["gemma3:12b-u1": ["2025-09-09T13-31-53.431753"], "gemma3:12b-it-q4_K_M": ["2025-09-09T13-42-42.857006"]]),
            (LmEvalFilterTests.root + "/evaleval__every_eval_ever/tests/data/lm_eval",
             ["RylanSchaeffer/mem_Qwen3-93M_minerva_math_rep_0_sbst_1.0000_epch_1_ot_1": ["2026-01-21T03-44-18.458309"]]),
        ]
        for (k, (dir, models)) in cases.enumerated() {
            let out = path("trimmed\(k).h5")
            var notes: [String] = []
            try LmEvalIngest(paths: [dir], output: out, scoring: ResponseScoring(mode: .binary)).run { notes.append($0) }
            let means = try taskMeans(out)
            XCTAssertEqual(Set(means.keys), Set(models.keys), dir)
            if models.count > 1 { XCTAssertTrue(notes.contains { $0.contains("samples of \(models.count) models") }, "\(notes)") }
            for (model, stamps) in models {
                let files = try FileManager.default.contentsOfDirectory(atPath: dir)
                    .filter { name in name.hasPrefix("samples_") && stamps.contains { name.hasSuffix("_\($0).jsonl") } }
                XCTAssertFalse(files.isEmpty)
                for name in files {
                    let task = HarnessLayout.parseFileName(name)!.task
                    let expected = try LmEvalFilterTests.ownMean(dir + "/" + name, metric: "exact_match")
                    XCTAssertEqual(try XCTUnwrap(means[model]?[task], "\(model) \(task)"), expected, accuracy: 1e-9, "\(model) \(task)")
                }
            }
        }
    }

    /// KT: the same winogrande docs run as multiple choice (the llama run) and as generation
    /// (the others) under one task name cannot share items: refused, naming both, no output.
    /// Without the multiple-choice run the directory ingests; SOLAR's two winogrande runs
    /// (the task changed between them) keep the newer, with a note; the multiple-choice run
    /// alone matches its results' acc,none.
    func testMultipleChoiceAndGenerationRunsOfOneTaskAreKeptApart() throws {
        let output = LmEvalFilterTests.root + "/allenlee-37__KT-lm-evaluation-harness/output"
        let all = path("kt-all.h5")
        assertThrows(["winogrande/0", "multiple-choice in one file and as generation", "separate files"]) {
            try LmEvalIngest(paths: [output], output: all, scoring: ResponseScoring(mode: .binary)).run()
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: all))
        let names = try FileManager.default.contentsOfDirectory(atPath: output).sorted()
        let llama = names.first { $0.hasPrefix("__vfroot__") }!
        let generation = path("kt-generation.h5")
        var notes: [String] = []
        try LmEvalIngest(paths: names.filter { $0 != llama }.map { output + "/" + $0 }, output: generation,
                         scoring: ResponseScoring(mode: .binary)).run { notes.append($0) }
        let means = try taskMeans(generation)
        XCTAssertEqual(means.count, 3)
        XCTAssertTrue(notes.contains { $0.contains("2 files for task winogrande; using the newest") && $0.contains("15-04-32") }, "\(notes)")
        let solar = output + "/upstage__SOLAR-10.7B-Instruct-v1.0"
        XCTAssertEqual(means["upstage/SOLAR-10.7B-Instruct-v1.0"]!["winogrande"]!,
                       try LmEvalFilterTests.aggregate(solar + "/results_2024-12-23T15-04-32.131238.json", task: "winogrande", key: "exact_match,get-answer"),
                       accuracy: 1e-9)
        let mc = path("kt-mc.h5")
        try LmEvalIngest(paths: [output + "/" + llama], output: mc, scoring: ResponseScoring(mode: .binary)).run()
        let model = "/vfroot/n22-model/f6e12a6705dc47f5af9f2b6bce90e0d4/93/40/e3564e474cf19dfb7e2fc364fe61/llama3.1-pro16-0827-Inst-nc-chat_241016"
        XCTAssertEqual(try ResponseFileInfo.read(mc).modelNames, [model])
        XCTAssertEqual(try rowMean(mc), try LmEvalFilterTests.aggregate(output + "/" + llama + "/results_2024-12-23T13-17-27.691350.json",
                                                                        task: "winogrande", key: "acc,none"), accuracy: 1e-9)
    }
}
