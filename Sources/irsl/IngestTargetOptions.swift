import ArgumentParser
import Ingest

/// The response file every `irsl ingest` command writes and how: `--output`,
/// `--benchmark-map`, `--append` and `--replace`, declared once so the five
/// commands spell and document them alike.
struct IngestTargetOptions: ParsableArguments {
    @Option(name: .shortAndLong, help: "Response file to write (or to extend, with --append).") var output: String
    @Option(help: "Benchmark of each task (of each column, for ingest table): a file of 'PATTERN,BENCHMARK' lines, or inline 'mmlu_*=mmlu,...' (default: the task or column name).")
    var benchmarkMap: String?
    @Flag(help: "Add models and items to the existing --output file instead of replacing it.") var append = false
    @Flag(help: "With --append: overwrite the rows of models already in the file (implies --append).") var replace = false

    /// `--append`, or `--replace` (which implies it).
    var appends: Bool { append || replace }

    /// The `--benchmark-map` rules (default: every task or column its own benchmark).
    func loadBenchmarkMap() throws -> BenchmarkMap {
        try benchmarkMap.map(BenchmarkMap.load) ?? BenchmarkMap()
    }
}
