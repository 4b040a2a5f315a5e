import ArgumentParser
import Foundation
import Ingest

extension IRSL.Ingest {
    /// `irsl ingest table`: a models × scores CSV such as an Open LLM Leaderboard export.
    struct Table: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Ingest a CSV of models (rows) × scores in [0, 1] (columns) into a response file.",
            discussion: "Item columns: --items, --items-matching, or by default the columns of --floors (else every "
                + "column that is not metadata or an unnamed index). Empty cells are missing. Covariates keep their "
                + "units, recorded as attributes of /models/params etc. response_kind is probability, or proportion "
                + "with --questions. See docs/ingest.md.")

        @Argument(help: "The CSV file (header row, one model per row).") var file: String
        @OptionGroup var target: IngestTargetOptions
        @Option(help: "Column with the model names (default: a column named 'model', any case).") var modelColumn: String?
        @Option(help: "Column with the model family.") var familyColumn: String?
        @Option(help: "Column with parameter counts (units kept, e.g. '#Params (B)').") var paramsColumn: String?
        @Option(help: "Column with training tokens (units kept).") var tokensColumn: String?
        @Option(help: "Column with training compute (units kept).") var flopsColumn: String?
        @Option(help: "Comma-separated item columns.") var items: String?
        @Option(help: "Regular expression selecting item columns (searched; anchor with ^…$).") var itemsMatching: String?
        @Option(help: "CSV of chance levels per item column: one row under the item names, or columns item,floor.")
        var floors: String?
        @Option(help: "CSV benchmark,questions: each benchmark's number of questions; scores become successes out of them (a proportion file, fitted beta-binomial).")
        var questions: String?

        func run() throws {
            let job = TableIngest(
                input: file, output: target.output, modelColumn: modelColumn, familyColumn: familyColumn,
                paramsColumn: paramsColumn, tokensColumn: tokensColumn, flopsColumn: flopsColumn,
                items: items.map { $0.split(separator: ",").map { String($0) } }, itemsMatching: itemsMatching,
                floors: floors, benchmarkMap: try target.loadBenchmarkMap(),
                questions: questions, append: target.appends, replace: target.replace)
            let summary = try job.run { line in
                print(line)
                fflush(stdout)
            }
            printIngestSummary(summary, input: "CSV")
        }
    }
}
