import ArgumentParser
import Foundation
import Ingest

extension IRSL.Ingest {
    /// `irsl ingest opencompass`: OpenCompass work directories.
    struct OpenCompass: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "opencompass",
            abstract: "Ingest OpenCompass predictions (prediction == gold, or results details) into a response file.",
            discussion: "WORK_DIR is an OpenCompass output directory (holding predictions/<model_abbr>/<dataset_abbr>.json), or a "
                + "directory above such. Items are <dataset_abbr>/<index>; the response is prediction == gold, or the per-example "
                + "correct of results/<model>/<dataset>.json details when present (a list of n values = n trials). See docs/ingest.md.")

        @Argument(help: "OpenCompass work directories.") var paths: [String]
        @OptionGroup var common: SampleIngestOptions

        func run() throws {
            let job = OpenCompassIngest(paths: paths, matrix: try common.matrix())
            let progress = common.progressLine(total: paths)
            let summary = try job.run(log: { print($0); fflush(stdout) },
                                      progress: { progress.update(files: $0, totalFiles: $1, bytes: $2) })
            progress.finish()
            printSampleIngestSummary(summary, input: "OpenCompass predictions", records: "predictions")
        }
    }
}
