import ArgumentParser
import Foundation
import Selection
import Store

extension IRSL {
    struct Items: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Flag broken items of a fit: negative or near-zero discrimination, unsolved or trivial items, large SEs, misfit.",
            discussion: """
            Without --responses the flags come from the parameters alone (the solve rate is the one the model
            implies for the fit's models). With --responses (usually the calibration file) every response is
            compared with its prediction at the model's ability (the fit's, matched by model name, else
            estimated): infit and outfit mean squares (expected value 1) and how many standard deviations they
            lie above 1. Output columns: item,benchmark,a,d,g,b,a_se,d_se,mean_response,observations,infit,
            outfit,infit_z,outfit_z,flags (flags separated by ';', empty when none). K > 1 fits: a is the
            multidimensional discrimination ‖a‖ (negative when no loading is positive), b = −d/‖a‖, a_se the
            delta-method SE of ‖a‖; the solve rate is averaged over the fit's models. See docs/selection.md.
            """)

        @Argument(help: "Fit output file (irsl fit, any K).") var fit: String
        @Option(help: "Response file to compute misfit from (items matched by id, models by name).") var responses: String?
        @Option(help: "|a| below this is near zero.") var minDiscrimination = 0.2
        @Option(help: "Solve rate (above the floor) within this of 0 or 1 counts as nobody / everybody.") var extreme = 0.01
        @Option(help: "An SE is large above this many times the benchmark's median (and above 0.1).") var seFactor = 4.0
        @Option(help: "Misfit: infit or outfit mean square above this, and 3 SDs above 1.") var misfit = 1.3
        @Option(name: .shortAndLong, help: "Diagnostics CSV to write.") var output: String

        func validate() throws {
            guard minDiscrimination >= 0 else { throw ValidationError("--min-discrimination: expected ≥ 0, got \(minDiscrimination)") }
            guard extreme >= 0, extreme < 0.5 else { throw ValidationError("--extreme: expected a fraction in [0, 0.5), got \(extreme)") }
            guard seFactor > 1 else { throw ValidationError("--se-factor: expected more than 1, got \(seFactor)") }
            guard misfit > 1 else { throw ValidationError("--misfit: expected a mean square above 1, got \(misfit)") }
        }

        func run() throws {
            let (result, bank) = try ItemBank.read(fit: fit)
            var statistics: [ItemFitStatistics]?
            var note = ""
            if let responses {
                let misfit = try ResponseMisfit(source: try ResponseSource(path: responses, bank: bank), bank: bank,
                                                fitNames: result.modelNames, fitTheta: result.theta)
                statistics = misfit.statistics
                note = "; misfit from \(responses): \(misfit.matched) models with the fit's abilities, \(misfit.estimated) estimated"
            }
            var thresholds = DiagnosticThresholds()
            thresholds.minDiscrimination = minDiscrimination
            thresholds.extreme = extreme
            thresholds.seFactor = seFactor
            thresholds.meanSquare = misfit
            let aSE = ItemDiagnostics.discriminationSE(bank: bank, aSE: result.aSE)
            let diagnostics = ItemDiagnostics.diagnose(bank: bank, aSE: aSE, dSE: result.dSE, fit: statistics, thresholds: thresholds)

            var csv = CSVWriter()
            csv.row(ItemDiagnosticsTable.columns)
            for x in diagnostics {
                let j = x.item, f = x.fit
                let a: Double = bank.dims == 1 ? bank.a[j] : (bank.isReversed(j) ? -1 : 1) * bank.discrimination(j)
                csv.row([bank.ids[j], bank.benchmarkNames[bank.benchmarkOfItem[j]]]
                        + [a, bank.d[j], bank.g[j], bank.difficulty(j), x.aSE, x.dSE, x.meanResponse].map(CSVWriter.number)
                        + [f.map { String($0.observations) } ?? ""]
                        + [f?.infit, f?.outfit, f?.infitZ, f?.outfitZ].map { CSVWriter.number($0 ?? .nan) }
                        + [x.flags.map(\.rawValue).joined(separator: ";")])
            }
            try writeTextAtomically(output, csv.text)

            let flagged = diagnostics.filter { !$0.flags.isEmpty }.count
            print("irsl items: \(bank.count) items, \(flagged) flagged\(note)")
            let columns = ItemFlag.allCases
            print(SelectionIO.pad("benchmark", 24) + SelectionIO.pad("items", 7, right: true) + SelectionIO.pad("flagged", 8, right: true)
                  + columns.map { SelectionIO.pad($0.rawValue, 17, right: true) }.joined()
                  + (statistics == nil ? "" : "  median infit/outfit"))
            for s in ItemDiagnostics.summarise(diagnostics, bank: bank) {
                print(SelectionIO.pad(bank.benchmarkNames[s.benchmark], 24) + SelectionIO.pad(String(s.items), 7, right: true)
                      + SelectionIO.pad(String(s.flagged), 8, right: true)
                      + columns.map { SelectionIO.pad(String(s.counts[$0, default: 0]), 17, right: true) }.joined()
                      + (statistics == nil ? "" : String(format: "  %.2f / %.2f", s.medianInfit, s.medianOutfit)))
            }
            print("wrote \(output)")
        }
    }
}
