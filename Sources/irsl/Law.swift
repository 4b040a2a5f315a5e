import ArgumentParser
import Foundation
import IRT
import ScalingLaw
import Store

extension IRSL {
    struct Law: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Fit a scaling law to a fit's abilities: theta = B'x + family + e, per dimension.",
            discussion: """
            x is the standardised log10 FLOPs (--covariates flops) or the translog
            [log params, log tokens, their product] (--covariates params-tokens). Family intercepts are
            random effects by default (REML; shrunk toward the population line), or fixed, or none.
            Covariates and families come from --models FILE.csv (name,family,params,tokens,flops), else
            from /models/* of --input RESPONSES.h5, else of the response file the fit records as its
            @input. FLOPs missing but params and tokens known are taken as 6·params·tokens.
            Models without covariates are skipped and counted. Writes LAW.h5 and LAW.h5.csv
            (dimension,term,estimate,se). See docs/scaling-law.md.
            """)

        @Argument(help: "Fit output file (irsl fit).") var fit: String
        @Option(name: .shortAndLong, help: "Law file to write (HDF5); its CSV twin is <output>.csv.") var output: String
        @Option(help: "Covariates of the law: log FLOPs, or the translog of parameters and tokens.") var covariates: CovariateSet = .flops
        @Option(help: "Family intercepts.") var families: FamilyEffects = .random
        @Option(help: "CSV of covariates: name,family,params,tokens,flops.") var models: String?
        @Option(help: "Response file the fit was made from (default: the one the fit records, @input).") var input: String?
        @Option(help: "Family × benchmark offsets of the linear predictor (random effects, from the fit's responses): random or none.") var offsets: OffsetMode = .random

        func run() throws {
            let result = try FitResult.read(fit)
            let (source, covariateList) = try LawCLI.covariates(fit: fit, result: result, models: models, input: input)
            var law = try AbilityLaw.fit(theta: result.theta, dims: result.dims, modelNames: result.modelNames,
                                         covariates: covariateList, set: covariates,
                                         mode: families, fitPath: fit,
                                         fitLogLikelihood: result.attributes.loglik)
            // Bernoulli or binomial fits of proportions: the response noise of a
            // forecast needs the quasi-likelihood dispersion, from the responses.
            var noise = "response noise: the precision φ of the fit's \(result.attributes.response) likelihood"
            if !(ResponseModel(rawValue: result.attributes.response)?.hasPrecision ?? false) {
                if let path = LawCLI.responseFile(result: result, input: input) {
                    let bank = try CalibratedItems(fit: result)
                    law.dispersion = try bank.estimateDispersion(responseFile: path, modelNames: result.modelNames, theta: result.theta)
                    law.dispersionBenchmarks = bank.benchmarkNames
                    noise = "response noise: \(result.attributes.response) variance × dispersion " + law.dispersion!.map { String(format: "%.3g", $0) }.joined(separator: ", ") + " (per benchmark, from \(path))"
                } else {
                    noise = "response noise: the \(result.attributes.response) variance (no response file to estimate a dispersion; give --input)"
                }
            }
            var rounding: String?
            if let path = LawCLI.responseFile(result: result, input: input) {
                let bank = try CalibratedItems(fit: result)
                law.resolution = try bank.reportedResolution(responseFile: path, modelNames: result.modelNames)
                law.resolutionBenchmarks = bank.benchmarkNames
                let rounded = zip(bank.benchmarkNames, law.resolution!).filter { $0.1 > 0 }.map { "\($0.0) (\($0.1))" }
                if !rounded.isEmpty { rounding = "scores reported rounded, the rounding in the intervals: " + rounded.joined(separator: ", ") }
            }
            var offsetLine = "family × benchmark offsets: none"
            if offsets == .random {
                if let path = LawCLI.responseFile(result: result, input: input) {
                    let bank = try CalibratedItems(fit: result)
                    let shifts = try BenchmarkOffsets.shifts(bank: bank, responseFile: path, modelNames: result.modelNames, theta: result.theta)
                    var byName: [String: String] = [:]
                    for c in covariateList where byName[c.name] == nil { byName[c.name] = c.lawFamily }
                    let families = result.modelNames.map { byName[$0] ?? "<\($0)>" }
                    law.offsets = try BenchmarkOffsets.fit(shifts: shifts, modelFamilies: families, benchmarks: bank.benchmarkNames,
                                                           abilityDims: result.dims)
                    let spread = law.offsets!.familyVariance.map { String(format: "%.2f", $0.squareRoot()) }.joined(separator: ", ")
                    offsetLine = "family × benchmark offsets (random, REML): spread sd per benchmark \(spread)"
                } else {
                    offsetLine = "family × benchmark offsets: none (no response file; give --input)"
                }
            }
            try law.write(to: output, command: CommandLine.arguments.joined(separator: " "), version: IRSL.version)
            print("irsl law: \(result.modelNames.count) models of \(fit), covariates from \(source)")
            for line in law.summaryLines() { print("  " + line) }
            print("  " + noise)
            print("  " + offsetLine)
            if let rounding { print("  " + rounding) }
            print("wrote \(output) (+ \(AbilityLaw.csvPath(for: output)))")
        }
    }
}

/// Option parsing shared by the scaling-law subcommands.
enum LawCLI {
    /// The response file behind a fit: `--input`, else the input the fit
    /// records (`@input`) when that file exists here.
    static func responseFile(result: FitResult, input: String?) -> String? {
        input ?? result.attributes.existingInput
    }

    /// Covariates from --models, --input or the fit's recorded input, and a description of the source.
    static func covariates(fit: String, result: FitResult, models: String?, input: String?) throws -> (String, [ModelCovariates]) {
        if let models { return (models, try CovariateSource.csv(models)) }
        if input == nil, let recorded = result.modelCovariates { return ("\(fit) (/models/*)", recorded) }
        guard let path = responseFile(result: result, input: input) else {
            throw StoreError(file: fit, field: "@input",
                             message: "\(result.attributes.inputProblem); give --input RESPONSES.h5 or --models FILE.csv")
        }
        return (path, try CovariateSource.responseFile(path))
    }

    /// `text` padded with spaces to `width` characters (String(format:)'s
    /// `%-20@` does not pad on Linux).
    static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }

    static func checkLevel(_ level: Double) throws {
        guard level > 0, level < 1 else { throw ValidationError("--level: expected a probability in (0, 1), got \(level)") }
    }
}
