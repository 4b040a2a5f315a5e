import Foundation
import Ingest
import XCTest

/// Finding models and tasks in harness output, and the benchmark map.
final class HarnessLayoutTests: IngestTestCase {
    func testFileNames() {
        XCTAssertEqual(HarnessLayout.parseFileName("samples_metabench_arc_secondary_2024-11-26T10-50-23.349203.jsonl")?.task,
                       "metabench_arc_secondary")
        XCTAssertEqual(HarnessLayout.parseFileName("samples_metabench_arc_secondary_2024-11-26T10-50-23.349203.jsonl")?.timestamp,
                       "2024-11-26T10-50-23.349203")
        XCTAssertEqual(HarnessLayout.parseFileName("samples_mmlu_anatomy_2024-01-02T03-04-05.jsonl")?.task, "mmlu_anatomy")
        XCTAssertEqual(HarnessLayout.parseFileName("samples_gsm8k.jsonl")?.task, "gsm8k")
        XCTAssertNil(HarnessLayout.parseFileName("results_2024-11-26T10-50-23.349203.json"))
        XCTAssertEqual(HarnessLayout.modelName(fromDirectory: "EleutherAI__pythia-14m"), "EleutherAI/pythia-14m")
    }

    /// The real output root, a model directory and a single file all find the same files.
    func testDiscoversTheRealLayoutThreeWays() throws {
        let fromRoot = try HarnessLayout.discover(paths: [IngestTestCase.harnessRoot]).runs
        XCTAssertEqual(fromRoot.map(\.model), ["EleutherAI/pythia-14m"])
        XCTAssertEqual(fromRoot[0].files.map(\.path).sorted(), IngestTestCase.pythiaFiles)
        let fromModel = try HarnessLayout.discover(paths: [IngestTestCase.pythiaDirectory]).runs
        XCTAssertEqual(fromModel, fromRoot)
        let one = IngestTestCase.pythiaFiles[0]
        let single = try HarnessLayout.discover(paths: [one], model: "m").runs
        XCTAssertEqual(single.map(\.model), ["m"])
        XCTAssertEqual(single[0].files.map(\.task), [IngestTestCase.task(of: one)])
        assertThrows(["--model"]) { try HarnessLayout.discover(paths: [one]) }
        assertThrows(["no samples_"]) { try HarnessLayout.discover(paths: [directory.path]) }
        assertThrows(["no such file"]) { try HarnessLayout.discover(paths: [path("missing")]) }
    }

    func testTaskGlobsAndNewestRerun() throws {
        let kept = try HarnessLayout.discover(paths: [IngestTestCase.pythiaDirectory],
                                              tasks: GlobList("*winogrande*, *arc*")).runs
        XCTAssertEqual(kept[0].files.map(\.task),
                       ["metabench_arc_secondary", "metabench_winogrande_permute", "metabench_winogrande_secondary"])
        try write("out/org__m/samples_t_2024-01-01T00-00-00.000001.jsonl", "\n")
        try write("out/org__m/samples_t_2024-03-01T00-00-00.000001.jsonl", "\n")
        try write("out/org__m/results_2024-03-01T00-00-00.000001.json", "{}")
        let (runs, notes) = try HarnessLayout.discover(paths: [path("out")])
        XCTAssertEqual(runs.map(\.model), ["org/m"])
        XCTAssertEqual(runs[0].files.map(\.timestamp), ["2024-03-01T00-00-00.000001"])
        XCTAssertTrue(notes.joined().contains("newest"), "\(notes)")
    }

    func testBenchmarkMapFileAndInline() throws {
        let file = try write("map.csv", "pattern,benchmark\n# subjects\nmmlu_*, mmlu\n\nhendrycksTest-*=mmlu\n*arc*,arc\n")
        let map = try BenchmarkMap.load(file)
        XCTAssertEqual(map.rules.count, 3)
        XCTAssertEqual(map.benchmark(for: "mmlu_anatomy"), "mmlu")
        XCTAssertEqual(map.benchmark(for: "hendrycksTest-virology"), "mmlu")
        XCTAssertEqual(map.benchmark(for: "metabench_arc_secondary"), "arc")
        XCTAssertEqual(map.benchmark(for: "gsm8k"), "gsm8k")
        let inline = try BenchmarkMap.load("bbh_*=bbh,math_*=math")
        XCTAssertEqual(inline.benchmark(for: "bbh_navigate"), "bbh")
        XCTAssertEqual(inline.benchmark(for: "IFEval"), "IFEval")
        let bad = try write("bad.csv", "mmlu_*,mmlu\njust-one-field\n")
        assertThrows(["bad.csv", "line 2", "PATTERN,BENCHMARK"]) { try BenchmarkMap.load(bad) }
        assertThrows(["no such benchmark-map file"]) { try BenchmarkMap.load(path("nope.csv")) }
    }
}
