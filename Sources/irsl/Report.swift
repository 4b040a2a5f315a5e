import ArgumentParser
import Foundation
import HTMLReport
import IRT
import ScalingLaw
import Store

extension IRSL {
    /// `irsl report`: one self-contained HTML page from a fit and the outputs
    /// of the other commands (module HTMLReport).
    struct Report: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "report",
            abstract: "Write one self-contained HTML report of a fit, its scaling law, forecasts and item diagnostics.",
            discussion: """
            The page has inline CSS and SVG only (no scripts, no network), so it opens anywhere, offline, and \
            prints. Sections: fit summary (shape, likelihood over iterations, AIC/BIC, Beta precisions); \
            abilities against training compute by family, with the law (--law) and its prediction band or a \
            least-squares line; the item map (discrimination against difficulty, flagged items from \
            --diagnostics); test information per benchmark for all items and the --subset; forecasts with \
            intervals and, for backtests, accuracy tables. A section whose input is absent is replaced by a note. \
            Families and compute come from --input, else from the response file the fit records as its @input. \
            See docs/report.md.
            """)

        @Argument(help: "Fit output file (irsl fit).") var fit: String
        @Option(help: "Scaling law file (irsl law).") var law: String?
        @Option(help: "Forecasts CSV (irsl forecast or irsl backtest).") var forecasts: String?
        @Option(help: "Item diagnostics CSV (irsl items).") var diagnostics: String?
        @Option(help: "Selected items CSV (irsl select).") var subset: String?
        @Option(help: "Response file the fit was made from (default: the one the fit records, @input).") var input: String?
        @Option(help: "CSV of the forecast models' covariates, name,family,params,tokens,flops (as for irsl forecast --models).") var models: String?
        @Option(help: "Central probability of the law's prediction band and forecast intervals.") var level = 0.9
        @Option(name: .shortAndLong, help: "HTML file to write.") var output: String

        func validate() throws {
            try LawCLI.checkLevel(level)
            if models != nil && law == nil { throw ValidationError("--models places the forecast models by the law: give --law LAW.h5 too") }
        }

        func run() throws {
            let result = try FitResult.read(fit)

            // Families and compute: --input, else the fit's own input file.
            var table: ModelCovariateTable?, covariates: [ModelCovariates] = [], modelsNote: String?
            if let input {
                covariates = try CovariateSource.responseFile(input)
                table = ModelCovariateTable(source: input, covariates: covariates)
            } else if let found = result.attributes.existingInput {
                do {
                    covariates = try CovariateSource.responseFile(found)
                    table = ModelCovariateTable(source: found, covariates: covariates)
                } catch {
                    modelsNote = "The fit's input \(found) could not be read (\(error))."
                }
            } else {
                modelsNote = "No families or compute: \(result.attributes.inputProblem); give --input."
            }

            let forecastTable = try forecasts.map { try ForecastTable.read($0) }
            var overlay: LawOverlay?
            if let law {
                let abilityLaw = try AbilityLaw.read(law)
                try abilityLaw.checkBelongs(to: result, fitPath: fit, lawPath: law)
                // The forecast models' own covariates come first, then the response file's.
                let given = try models.map { try CovariateSource.csv($0) } ?? []
                overlay = LawOverlayBuilder.build(law: abilityLaw, path: law, level: level, fit: result,
                                                  covariates: given + covariates, forecasts: forecastTable)
            }
            let reportInput = ReportInput(
                fit: result, fitPath: fit, models: table, modelsNote: modelsNote, law: overlay,
                forecasts: forecastTable,
                diagnostics: try diagnostics.map { try ItemDiagnosticsTable.read($0) },
                subset: try subset.map { try SubsetTable.read($0) },
                generatedBy: "Written by irsl \(IRSL.version) on \(ISO8601DateFormatter().string(from: Date())): "
                    + CommandLine.arguments.joined(separator: " "))
            let html = try ReportPage.write(reportInput, to: output)
            let kib = Double(html.utf8.count) / 1024
            print("irsl report: \(fit)" + (table.map { ", families and compute from \($0.source)" } ?? ""))
            for note in [modelsNote].compactMap({ $0 }) { print("  note: " + note) }
            print(String(format: "wrote %@ (%.0f KiB)", output, kib))
        }
    }
}
