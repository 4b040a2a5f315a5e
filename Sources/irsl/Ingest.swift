import ArgumentParser
import Calibration
import Foundation
import Ingest

extension IRSL {
    /// `irsl ingest`: real evaluation exports → response files (docs/ingest.md).
    struct Ingest: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Build a response file from evaluation exports (lm-evaluation-harness, Inspect AI, HELM, OpenCompass, leaderboard tables).",
            discussion: """
            irsl ingest lm-eval RESULTS_DIR --output data.h5
            irsl ingest inspect LOG_DIR --output data.h5 [--scorer NAME] [--same-questions A=B]
            irsl ingest helm benchmark_output/runs/SUITE --output data.h5 [--metric exact_match]
            irsl ingest opencompass WORK_DIR --output data.h5
            irsl ingest table scores.csv --output data.h5 [--floors floors.csv ...]
            irsl fit data.h5 --output fit.h5 --floor-from-file

            --append adds models and items to an existing file without loading its matrix. \
            Formats: docs/format.md; ingest rules: docs/ingest.md.
            """,
            subcommands: [LmEval.self, Table.self, Inspect.self, Helm.self, OpenCompass.self])
    }
}

/// The report both ingest commands print.
func printIngestSummary(_ s: IngestSummary, input: String) {
    let plural = { (n: Int, word: String) in "\(n) \(word)\(n == 1 ? "" : "s")" }
    print("wrote \(s.output) (\(s.outcome.rawValue)): \(plural(s.models, "model")) × \(plural(s.items, "item")), response_kind \(s.kind.rawValue)")
    var changes = ["added \(plural(s.newModels.count, "model")) and \(plural(s.newItems, "item"))"]
    if !s.replacedModels.isEmpty { changes.append("replaced \(s.replacedModels.joined(separator: ", "))") }
    print("  " + changes.joined(separator: "; "))
    var reading = String(format: "read %.1f MB of %@ (%d lines) in %.2f s: %.0f MB/s; total %.2f s",
                         Double(s.bytesRead) / 1e6, input, s.linesRead, s.parseSeconds, s.megabytesPerSecond, s.seconds)
    if s.repeatedRecords > 0 { reading += "; \(s.repeatedRecords) repeated doc_id records (one per filter) ignored" }
    print("  " + reading)
    if s.badLines > 0 { print("  skipped \(s.badLines) malformed line(s)") }
    // Ingest streams its input and never loads the matrix; this makes that checkable.
    print(String(format: "  peak RSS %.0f MB", ResourceUsage.peakResidentBytes() / 1e6))
}
