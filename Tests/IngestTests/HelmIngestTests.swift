import Foundation
import Ingest
import Store
import XCTest

/// `irsl ingest helm` on the three real run directories, and on a small
/// run with perturbations and two train trials (none of the real ones has them).
final class HelmIngestTests: IngestTestCase {
    static let root = data("harness-exports/helm/evaleval__every_eval_ever/tests/data/helm")

    /// Every real run: per split, our mean equals stats.json's, to 1e-9, for exact_match and f1_score.
    func testRealRunsMatchStatsJSONPerSplit() throws {
        let dirs = try HelmIngest.discover([HelmIngestTests.root])
        XCTAssertEqual(dirs.count, 3)
        var compared = 0
        for dir in dirs {
            for metric in ["exact_match", "f1_score"] {
                guard let run = try? HelmRun.read(dir, metric: metric) else { continue }
                for (split, ours, theirs) in run.splitMeans {
                    let reference = try XCTUnwrap(theirs, "\(dir) \(split)")
                    XCTAssertEqual(ours, reference, accuracy: 1e-9, "\(dir) \(metric) \(split)")
                    compared += 1
                }
            }
        }
        XCTAssertEqual(compared, 7)  // hellaswag valid; mmlu test, valid; narrative_qa test, valid × 2 metrics
        let mmlu = try HelmRun.read(dirs.first { $0.contains("mmlu") }!, metric: nil)
        XCTAssertEqual(mmlu.run.model, "openai/gpt2")
        XCTAssertEqual(mmlu.run.task, "MMLUScenario:subject=philosophy")
        XCTAssertEqual(mmlu.run.questions.filter { $0.hasPrefix("test/id") }.count, 9)
        XCTAssertEqual(mmlu.run.questions.filter { $0.hasPrefix("valid/id") }.count, 1)
    }

    func testIngestAllRunsIntoOneFile() throws {
        let out = path("helm.h5")
        let summary = try HelmIngest(paths: [HelmIngestTests.root], matrix: SampleMatrixIngest(output: out)).run()
        let info = try ResponseFileInfo.read(out)
        XCTAssertEqual(info.modelNames, ["eleutherai/pythia-1b-v0", "openai/gpt2"])
        XCTAssertEqual(info.items, 25)
        XCTAssertEqual(summary.kind, .binary)
        XCTAssertTrue(info.itemIDs.contains { $0.hasPrefix("NarrativeQAScenario/test/id") }, "\(info.itemIDs)")
    }

    /// Perturbed entries and stats are left out; two train trials of an instance are 2 trials.
    func testPerturbationsLeftOutAndTrainTrialsCounted() throws {
        let dir = directory.appendingPathComponent("run").path
        try write("run/run_spec.json", #"{"name": "s:x=1,model=m", "scenario_spec": {"class_name": "a.b.SScenario", "args": {"x": 1}}, "adapter_spec": {"model": "org/m"}}"#)
        func stat(_ v: Double, perturbed: Bool = false) -> String {
            #"{"name": {"name": "exact_match", "split": "test""# + (perturbed ? #", "perturbation": {"name": "typos"}"# : "") + #"}, "mean": \#(v)}"#
        }
        try write("run/per_instance_stats.json", "[" + [
            #"{"instance_id": "id1", "train_trial_index": 0, "stats": [\#(stat(1)), \#(stat(0, perturbed: true))]}"#,
            #"{"instance_id": "id1", "train_trial_index": 1, "stats": [\#(stat(0))]}"#,
            #"{"instance_id": "id1", "train_trial_index": 0, "perturbation": {"name": "typos"}, "stats": [\#(stat(0))]}"#,
            #"{"instance_id": "id2", "train_trial_index": 0, "stats": [\#(stat(1))]}"#,
        ].joined(separator: ",") + "]")
        let run = try HelmRun.read(dir, metric: nil).run
        XCTAssertEqual(run.task, "SScenario:x=1")
        XCTAssertEqual(run.questions, ["test/id1", "test/id2"])
        XCTAssertEqual(run.sums, [1, 1])
        XCTAssertEqual(run.trials, [2, 1])
        assertThrows(["per_instance_stats.json", "\"rouge_x\"", "--metric"]) { try HelmRun.read(dir, metric: "rouge_x") }
        try write("run/per_instance_stats.json", #"[{"instance_id": "id1", "stats": [{"name": {"name": "exact_match"}, "mean": 3}]}]"#)
        assertThrows(["per_instance_stats.json", "instance id1", "[0, 1]"]) { try HelmRun.read(dir, metric: nil) }
    }
}
