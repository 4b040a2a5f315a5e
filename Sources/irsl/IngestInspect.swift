import ArgumentParser
import Foundation
import Ingest

extension IRSL.Ingest {
    /// `irsl ingest inspect`: Inspect AI eval logs.
    struct Inspect: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "inspect",
            abstract: "Ingest Inspect AI eval logs (.eval zip or .json) into a response file.",
            discussion: "PATH is a log file or a log directory (searched for *.eval and *.json). The model is eval.model; "
                + "items are <eval.task>/<sample id>. Scores map C=1, I=0, P=0.5, N=0, yes/true=1, no/false=0, numbers as "
                + "they are (--value-map overrides). Several epochs of a sample become successes/trials (a proportion file "
                + "with /trials); errored or unscored samples are missing. See docs/ingest.md.")

        @Argument(help: "Inspect log files or directories.") var paths: [String]
        @Option(help: "Scorer whose values to read (default: the log's first scorer).") var scorer: String?
        @Option(help: "Score values as numbers, e.g. C=1,I=0,P=0.5 (added to the defaults).") var valueMap: String?
        @OptionGroup var common: SampleIngestOptions

        func run() throws {
            let job = InspectIngest(paths: paths, matrix: try common.matrix(), scorer: scorer,
                                    valueMap: try valueMap.map(ScoreValueMap.init(parsing:)) ?? ScoreValueMap(),
                                    skipBadSamples: common.skipBadLines)
            let progress = common.progressLine(total: paths)
            let summary = try job.run(log: { print($0); fflush(stdout) }, progress: { progress.update(files: $0, totalFiles: $1, bytes: $2) })
            progress.finish()
            printSampleIngestSummary(summary, input: "Inspect logs", records: "samples")
        }
    }
}
