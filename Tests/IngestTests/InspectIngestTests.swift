import Foundation
import Ingest
import Store
import XCTest

/// `irsl ingest inspect` on the real Inspect AI logs of
/// `../shared/data/harness-exports/inspect_ai/` and on small logs that
/// exercise each trap its README names.
final class InspectIngestTests: IngestTestCase {
    static let root = data("harness-exports/inspect_ai")
    static func log(_ relative: String) -> String { (root as NSString).appendingPathComponent(relative) }
    static let streaming = log("UKGovernmentBEIS__inspect_ai/tests/log/test_eval_log/log_streaming.eval")
    static let formatsEval = log("UKGovernmentBEIS__inspect_ai/tests/log/test_eval_log/log_formats.eval")
    static let formatsJSON = log("UKGovernmentBEIS__inspect_ai/tests/log/test_eval_log/log_formats.json")
    static let withNaN = log("UKGovernmentBEIS__inspect_ai/tests/log/test_eval_log/log_with_nan.txt")
    static let noSamples = log("UKGovernmentBEIS__inspect_ai/tests/analysis/test_logs/2025-05-12T20-28-13-04-00_no-samples.json")
    static let cyber = log("sean-peters-au__cyber-task-horizons/published/benchmarks")
    static let davinciCybash = log("sean-peters-au__cyber-task-horizons/published/benchmarks/cybashbench/inspect_logs/2025-06-27T21-17-12+10-00_cybashbench-task_dympQFnyHydPWustaXXENe.eval")

    var job: InspectIngest { InspectIngest(paths: [], matrix: SampleMatrixIngest(output: path("out.h5"))) }

    func sampleRun(_ file: String, _ ingest: InspectIngest? = nil) throws -> SampleRun {
        var summary = IngestSummary.empty(output: "")
        let ingest = ingest ?? job
        return try ingest.run(of: try InspectLog.read(file), summary: &summary, log: { _ in })
    }

    /// Every real log with per-sample scores reads, and its per-question mean
    /// equals the accuracy (or mean) Inspect itself put in the header, to 1e-9.
    func testEveryRealLogMatchesTheHeaderAggregate() throws {
        let files = try InspectIngest.discover([InspectIngestTests.root]).map(\.path) + [InspectIngestTests.withNaN]
        XCTAssertEqual(files.count, 31)  // the README's 31 logs
        var checked = 0, scored = 0
        for file in files {
            let run = try sampleRun(file)
            if run.isEmpty { continue }
            scored += 1
            guard let (name, value) = run.aggregate else { continue }
            XCTAssertEqual(run.meanScore, value, accuracy: 1e-9, "\(file): \(name)")
            checked += 1
        }
        // 31 less the unscored popularity log, the errored cybench log and log_with_nan (no samples);
        // no-samples.json counts: its values come from reductions.
        XCTAssertEqual(scored, 28)
        XCTAssertEqual(checked, 28)
    }

    /// All the real logs into one file: the README's 20 distinct eval.model values are the rows,
    /// and the file is proportion (some runs have epochs).
    func testEveryRealLogIntoOneFile() throws {
        let out = path("all.h5")
        let summary = try InspectIngest(paths: [InspectIngestTests.root], matrix: SampleMatrixIngest(output: out)).run()
        let info = try ResponseFileInfo.read(out)
        XCTAssertEqual(info.models, 20)
        XCTAssertEqual(summary.kind, .proportion)
        XCTAssertEqual(info.kind, .proportion)
        XCTAssertTrue(info.modelNames.contains("openai/gpt-4o-mini") && info.modelNames.contains("hardcoded/hardcoded"), "\(info.modelNames)")
    }

    /// log_streaming.eval: ids 1, 2 × 2 epochs, id 1 = I then C → 1 success of 2 trials.
    func testEpochsBecomeSuccessesOutOfTrials() throws {
        let run = try sampleRun(InspectIngestTests.streaming)
        XCTAssertEqual(Set(run.questions), ["1", "2"])
        XCTAssertEqual(run.trials, [2, 2])
        let one = run.questions.firstIndex(of: "1")!, two = run.questions.firstIndex(of: "2")!
        XCTAssertEqual(run.sums[one], 1)
        XCTAssertEqual(run.sums[two], 2)
        XCTAssertTrue(run.hasRepeats)

        let out = path("streaming.h5")
        try InspectIngest(paths: [InspectIngestTests.streaming], matrix: SampleMatrixIngest(output: out)).run()
        let info = try ResponseFileInfo.read(out)
        XCTAssertEqual(info.kind, .proportion)
        XCTAssertTrue(info.hasTrials)
        let file = try H5File(out, mode: .readOnly)
        defer { file.close() }
        var values = [Float](repeating: 0, count: info.items), trials = [Int32](repeating: 0, count: info.items)
        try values.withUnsafeMutableBufferPointer { try file.readRows(ResponseLayout.responses, rowStart: 0, rowCount: 1, into: $0) }
        try trials.withUnsafeMutableBufferPointer { try file.readRows(ResponseLayout.trials, rowStart: 0, rowCount: 1, into: $0) }
        XCTAssertEqual(Dictionary(uniqueKeysWithValues: zip(info.itemIDs, values)), ["popularity/1": 0.5, "popularity/2": 1])
        XCTAssertEqual(trials, [2, 2])
    }

    /// The same run in both formats gives the same run.
    func testEvalAndJSONFormatsOfOneRunAgree() throws {
        let a = try sampleRun(InspectIngestTests.formatsEval), b = try sampleRun(InspectIngestTests.formatsJSON)
        XCTAssertEqual(a.model, "ollama/llama3.1")
        XCTAssertEqual(a.model, b.model)
        XCTAssertEqual(a.task, b.task)
        XCTAssertEqual(a.questions, b.questions)
        XCTAssertEqual(a.sums, b.sums)
        XCTAssertEqual(a.trials, b.trials)
    }

    /// davinci-002 on cybashbench: one errored sample of 200 is missing, not 0 (header: mean of the 199).
    func testErroredSampleIsMissingNotWrong() throws {
        let run = try sampleRun(InspectIngestTests.davinciCybash)
        XCTAssertEqual(run.questions.count, 199)
        XCTAssertEqual(run.meanScore, 0.44221105527638194, accuracy: 1e-12)
        // Ids with "/" come from the JSON, whole.
        XCTAssertTrue(run.questions.allSatisfy { $0.hasPrefix("cybashbench_") && $0.contains("/") }, "\(run.questions.prefix(3))")
    }

    /// A version-1 log with bare NaN in its metrics reads (and has no samples to give).
    func testVersion1LogWithBareNaNReads() throws {
        let log = try InspectLog.read(InspectIngestTests.withNaN)
        XCTAssertEqual(log.header.version, 1)
        XCTAssertEqual(log.header.results?.firstScorer, "model_graded_fact")
        XCTAssertTrue(log.header.results?.metrics?["accuracy"]?.value?.isNaN ?? false)
        XCTAssertNil(log.header.results?.aggregate(for: "model_graded_fact"))  // NaN is no aggregate
        XCTAssertTrue(try sampleRun(InspectIngestTests.withNaN).isEmpty)
    }

    /// Version-1 samples carry one `score`, later ones `scores`; both read.
    func testVersion1SampleScoreAndVersion2Scores() throws {
        let v1 = try write("v1.json", """
        {"version": 1, "status": "success", "eval": {"task": "t", "model": "m", "created": "2024"},
         "results": {"scorer": {"name": "match", "params": {}}, "metrics": {"accuracy": {"name": "accuracy", "value": NaN}}},
         "samples": [{"id": 1, "epoch": 1, "score": {"value": "C"}}, {"id": 2, "epoch": 1, "score": {"value": "P"}}]}
        """)
        let run = try sampleRun(v1)
        XCTAssertEqual(run.questions, ["1", "2"])
        XCTAssertEqual(run.sums, [1, 0.5])
    }

    /// The value map: defaults, overrides, and errors naming the sample.
    func testValueMapDefaultsOverridesAndErrors() throws {
        let file = try write("values.json", """
        {"version": 2, "status": "success", "eval": {"task": "t", "model": "m"},
         "samples": [{"id": "a", "epoch": 1, "scores": {"s": {"value": "C"}}}, {"id": "b", "epoch": 1, "scores": {"s": {"value": "I"}}},
                     {"id": "c", "epoch": 1, "scores": {"s": {"value": "P"}}}, {"id": "d", "epoch": 1, "scores": {"s": {"value": true}}},
                     {"id": "e", "epoch": 1, "scores": {"s": {"value": "0.25"}}}, {"id": "f", "epoch": 1, "scores": {"s": {"value": "no"}}}]}
        """)
        XCTAssertEqual(try sampleRun(file).sums, [1, 0, 0.5, 1, 0.25, 0])
        var custom = job
        custom.valueMap = try ScoreValueMap(parsing: "P=0.25,I=0.1")
        XCTAssertEqual(try sampleRun(file, custom).sums, [1, 0.1, 0.25, 1, 0.25, 0])
        assertThrows(["--value-map"]) { try ScoreValueMap(parsing: "P=2") }

        let bad = try write("bad.json", """
        {"version": 2, "eval": {"task": "t", "model": "m"}, "samples": [{"id": 7, "epoch": 2, "scores": {"s": {"value": "X"}}}]}
        """)
        assertThrows(["bad.json", "sample 7 epoch 2", "scores.s.value", "\"X\"", "--value-map"]) { try sampleRun(bad) }
        let range = try write("range.json", """
        {"version": 2, "eval": {"task": "t", "model": "m"}, "samples": [{"id": 7, "scores": {"s": {"value": 3.5}}}]}
        """)
        assertThrows(["range.json", "outside [0, 1]"]) { try sampleRun(range) }
        var skipping = job
        skipping.skipBadSamples = true
        XCTAssertTrue(try sampleRun(bad, skipping).isEmpty)
    }

    /// Several scorers: the header's first by default, --scorer to choose, a missing one named.
    func testScorerChoice() throws {
        let file = try write("two.json", """
        {"version": 2, "eval": {"task": "t", "model": "m"},
         "results": {"scores": [{"name": "judge", "metrics": {"accuracy": {"value": 1.0}}}, {"name": "match", "metrics": {}}]},
         "samples": [{"id": 1, "scores": {"match": {"value": "I"}, "judge": {"value": "C"}}}]}
        """)
        XCTAssertEqual(try sampleRun(file).sums, [1])
        var match = job
        match.scorer = "match"
        XCTAssertEqual(try sampleRun(file, match).sums, [0])
        match.scorer = "nope"
        assertThrows(["two.json", "sample 1", "no scorer \"nope\"", "judge, match", "--scorer"]) { try sampleRun(file, match) }
    }

    /// Int 1 and string "1" must not silently share an item.
    func testIntegerAndStringIdsDoNotCollide() throws {
        let file = try write("ids.json", """
        {"version": 2, "eval": {"task": "t", "model": "m"},
         "samples": [{"id": 1, "scores": {"s": {"value": 1}}}, {"id": "1", "scores": {"s": {"value": 0}}}]}
        """)
        assertThrows(["ids.json", "sample \"1\"", "both as an integer and as a string"]) { try sampleRun(file) }
    }

    /// A cancelled log without samples but with reductions gives those per-question values.
    func testReductionsWithoutSamples() throws {
        let run = try sampleRun(InspectIngestTests.noSamples)
        XCTAssertEqual(run.questions, ["1", "2", "3"])
        XCTAssertEqual(run.sums, [1, 1, 0])
        XCTAssertEqual(run.aggregate?.value ?? .nan, 2.0 / 3, accuracy: 1e-12)
    }

    /// Bad files: named, with the member or field.
    func testMalformedLogsAreNamed() throws {
        let notZip = try write("broken.eval", "PK\u{3}\u{4}garbage")
        assertThrows(["broken.eval", "zip"]) { try InspectLog.read(notZip) }
        let noModel = try write("nomodel.json", #"{"version": 2, "eval": {"task": "t"}, "samples": []}"#)
        assertThrows(["nomodel.json", "eval.model: missing"]) { try InspectLog.read(noModel) }
        let truncated = try write("cut.json", #"{"version": 2, "eval": {"task": "t", "model": "m"}, "samples": [{"id": 1,"#)
        assertThrows(["cut.json", "malformed JSON"]) { try InspectLog.read(truncated) }
    }

    /// The nl2bash logs: 9 models × the same 136 questions under two task
    /// names; --same-questions puts them in one set of 136 columns.
    func testNl2bashSharesColumnsAcrossTaskNames() throws {
        let dir = InspectIngestTests.cyber + "/nl2bash"
        var notes: [String] = []
        let apart = path("apart.h5")
        try InspectIngest(paths: [dir], matrix: SampleMatrixIngest(output: apart)).run(log: { notes.append($0) })
        XCTAssertEqual(try ResponseFileInfo.read(apart).items, 272)
        XCTAssertTrue(notes.contains { $0.contains("--same-questions nl2bash_") }, "\(notes)")

        let together = path("together.h5")
        let summary = try InspectIngest(paths: [dir], matrix: SampleMatrixIngest(
            output: together, sameQuestions: ["nl2bash_completion_task": "nl2bash_chat_task"])).run()
        let info = try ResponseFileInfo.read(together)
        XCTAssertEqual(info.models, 9)
        XCTAssertEqual(info.items, 136)
        XCTAssertEqual(summary.kind, .probability)  // partial credit
        XCTAssertTrue(info.itemIDs.allSatisfy { $0.hasPrefix("nl2bash_chat_task/nl2bash_") })
    }

    /// Several logs of one (model, task): the finished, newest one is kept and a note names the rest.
    func testDuplicateRunsKeepTheNewestFinished() throws {
        var notes: [String] = []
        let out = path("popularity.h5")
        try InspectIngest(paths: [InspectIngestTests.log("UKGovernmentBEIS__inspect_ai/tests"),
                                  InspectIngestTests.log("meridianlabs-ai__inspect_scout")],
                          matrix: SampleMatrixIngest(output: out)).run(log: { notes.append($0) })
        let note = try XCTUnwrap(notes.first { $0.hasPrefix("openai/gpt-4o-mini, popularity: 3 runs") }, "\(notes)")
        XCTAssertTrue(note.contains("kept \(InspectIngestTests.log("meridianlabs-ai__inspect_scout"))"), note)
        let info = try ResponseFileInfo.read(out)
        XCTAssertEqual(info.itemIDs.filter { $0.hasPrefix("popularity/") }.count, 100)
    }

    /// Appending a run whose question ids differ from the file's says so.
    func testAppendSaysWhenQuestionIdsDiffer() throws {
        let out = path("arc.h5")
        let dir = InspectIngestTests.log("evaleval__every_eval_ever/tests/data/inspect")
        try InspectIngest(paths: [dir + "/data_arc_qwen.json"], matrix: SampleMatrixIngest(output: out)).run()
        var notes: [String] = []
        try InspectIngest(paths: [dir + "/data_arc_sonnet.json"], matrix: SampleMatrixIngest(output: out, append: true))
            .run(log: { notes.append($0) })
        XCTAssertTrue(notes.contains { $0.contains("3 of its 5 question ids match the 3 already there; 2 new") }, "\(notes)")
        let info = try ResponseFileInfo.read(out)
        XCTAssertEqual(info.models, 2)
        XCTAssertEqual(info.items, 5)
    }
}
