import ArgumentParser
import Foundation
import Ingest

extension IRSL.Ingest {
    /// `irsl ingest lm-eval`: per-sample JSONL exports of EleutherAI's lm-evaluation-harness.
    struct LmEval: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "lm-eval",
            abstract: "Ingest lm-evaluation-harness samples files (--log_samples) into a response file.",
            discussion: "PATH is the harness's --output_path directory (one sub-directory per model, holding "
                + "samples_<task>_<timestamp>.jsonl files), one model directory, or one samples file (name the model "
                + "with --model). Items are <task>/<doc_id>#<question hash>, shared by all models; a model without a "
                + "task has NaN (missing) for its items. Multiple-choice answers become the softmax probability of the "
                + "gold choice (--response probability) or acc (--response binary); generation tasks (gsm8k) give "
                + "exact_match. /items/floor is 1/choices (0 for generation). See docs/ingest.md.")

        @Argument(help: "Harness output directories, model directories or samples files.") var paths: [String]
        @OptionGroup var target: IngestTargetOptions
        @Option(help: "probability (gold-choice softmax probability) or binary (acc / exact_match).")
        var response: ResponseScoring.Mode = .probability
        @Flag(name: [.customLong("length-normalised"), .customLong("length-normalized")],
              help: "With --response probability: divide each choice's log-likelihood by its length in characters first (acc_norm style).")
        var lengthNormalised = false
        @Option(help: "Comma-separated shell patterns of tasks to keep, e.g. 'mmlu_*,arc_*' (default: all).") var tasks: String?
        @Option(help: "Model name for a single samples file or model directory (default: the directory name, __ read as /).")
        var model: String?
        @Flag(help: "Skip malformed lines (and report how many) instead of stopping at the first.") var skipBadLines = false
        @Option(help: "Keep only records of this harness filter (when records log 'filter'), e.g. strict-match.") var filter: String?

        func validate() throws {
            if lengthNormalised && response != .probability {
                throw ValidationError("--length-normalised applies to --response probability only")
            }
            guard !paths.isEmpty else { throw ValidationError("give at least one PATH") }
        }

        func run() throws {
            let job = LmEvalIngest(
                paths: paths, output: target.output, model: model, tasks: tasks.map(GlobList.init),
                scoring: ResponseScoring(mode: response, lengthNormalised: lengthNormalised),
                benchmarkMap: try target.loadBenchmarkMap(),
                append: target.appends, replace: target.replace, skipBadLines: skipBadLines, filter: filter)
            let summary = try job.run { line in
                print(line)
                fflush(stdout)
            }
            printIngestSummary(summary, input: "JSONL")
        }
    }
}
