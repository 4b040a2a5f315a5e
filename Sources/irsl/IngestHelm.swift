import ArgumentParser
import Foundation
import Ingest

extension IRSL.Ingest {
    /// `irsl ingest helm`: HELM run directories.
    struct Helm: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "helm",
            abstract: "Ingest HELM run directories (per_instance_stats.json) into a response file.",
            discussion: "RUN_DIR is a helm-run output directory (run_spec.json, per_instance_stats.json) or a directory of them "
                + "(benchmark_output/runs/<suite>). The model is adapter_spec.model; items are <scenario>/<split>/<instance id>. "
                + "The response is the instance's --metric mean (default exact_match, else quasi_exact_match, f1_score, rouge_l, "
                + "bleu_4); perturbed entries are left out; several train trials become successes/trials. See docs/ingest.md.")

        @Argument(help: "HELM run directories, or directories of them.") var paths: [String]
        @Option(help: "Per-instance stat to read (default: exact_match, else quasi_exact_match, f1_score, rouge_l, bleu_4).")
        var metric: String?
        @OptionGroup var common: SampleIngestOptions

        func run() throws {
            let job = HelmIngest(paths: paths, matrix: try common.matrix(), metric: metric)
            let progress = common.progressLine(total: paths)
            let summary = try job.run(log: { print($0); fflush(stdout) },
                                      progress: { progress.update(files: $0, totalFiles: $1, bytes: $2) })
            progress.finish()
            printSampleIngestSummary(summary, input: "HELM runs", records: "instance entries")
        }
    }
}
