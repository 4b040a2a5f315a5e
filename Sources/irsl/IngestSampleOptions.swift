import ArgumentParser
import Calibration
import Foundation
import Ingest

/// Options shared by `irsl ingest inspect`, `helm` and `opencompass`.
struct SampleIngestOptions: ParsableArguments {
    @Option(help: "Tasks that hold the same questions, TASK=CANONICAL[,...]: TASK's items are named after CANONICAL, so they share columns.")
    var sameQuestions: String?
    @OptionGroup var target: IngestTargetOptions
    @Flag(help: "Skip samples whose score cannot be read (and report how many) instead of stopping at the first.") var skipBadLines = false
    @Flag(help: "Show the progress line on stderr even when it is not a terminal.") var progress = false

    func matrix() throws -> SampleMatrixIngest {
        SampleMatrixIngest(output: target.output, append: target.append, replace: target.replace,
                           benchmarkMap: try target.loadBenchmarkMap(),
                           sameQuestions: try sameQuestions.map(SampleMatrixIngest.parseSameQuestions) ?? [:])
    }

    func progressLine(total paths: [String]) -> IngestProgress {
        IngestProgress(totalBytes: IngestProgress.bytes(under: paths), force: progress)
    }
}

/// The report of the sample-based ingest commands.
func printSampleIngestSummary(_ s: IngestSummary, input: String, records: String) {
    let plural = { (n: Int, word: String) in "\(n) \(word)\(n == 1 ? "" : "s")" }
    print("wrote \(s.output) (\(s.outcome.rawValue)): \(plural(s.models, "model")) × \(plural(s.items, "item")), response_kind \(s.kind.rawValue)")
    var changes = ["added \(plural(s.newModels.count, "model")) and \(plural(s.newItems, "item"))"]
    if !s.replacedModels.isEmpty { changes.append("replaced \(s.replacedModels.joined(separator: ", "))") }
    print("  " + changes.joined(separator: "; "))
    print(String(format: "  read %.1f MB of %@ (%d %@) in %.2f s: %.0f MB/s; total %.2f s",
                 Double(s.bytesRead) / 1e6, input, s.linesRead, records, s.parseSeconds, s.megabytesPerSecond, s.seconds))
    if s.badLines > 0 { print("  skipped \(s.badLines) unreadable \(records)") }
    print(String(format: "  peak RSS %.0f MB", ResourceUsage.peakResidentBytes() / 1e6))
}
