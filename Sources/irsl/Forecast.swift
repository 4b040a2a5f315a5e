import ArgumentParser
import Foundation
import ScalingLaw
import Store

extension IRSL {
    struct Forecast: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Forecast abilities and benchmark scores of new models from a scaling law.",
            discussion: """
            One model (--model NAME --family F --params P --tokens T, or --flops C), or many
            (--models FILE.csv: name,family,params,tokens,flops). A family the law has not seen (or none)
            is a new family: its forecast is wider by the family spread. Each benchmark's forecast is the
            mean over its items of the expected response (floor included) at the predicted ability; the
            interval is Monte Carlo over the law's coefficients, the family effect, the residual ability
            scatter and the response noise of the fit's likelihood. Writes model,benchmark,predicted,lower,upper.
            See docs/scaling-law.md.
            """)

        @Argument(help: "Law file (irsl law).") var law: String
        @Option(help: "The fit the law was made from (its items turn abilities into scores).") var fit: String
        @Option(help: "Name of the model to forecast.") var model: String?
        @Option(help: "Its family (omit for a new family).") var family: String?
        @Option(help: "Its parameter count.") var params: Double?
        @Option(help: "Its training tokens.") var tokens: Double?
        @Option(help: "Its training FLOPs (a FLOPs law; default 6·params·tokens).") var flops: Double?
        @Option(help: "CSV of models to forecast: name,family,params,tokens,flops.") var models: String?
        @Option(help: "Central probability of the intervals.") var level = 0.9
        @Option(help: "Monte Carlo draws per model.") var draws = 4000
        @Option(help: "Trials per entry for a binomial fit's response noise (1: Bernoulli).") var trials = 1.0
        @Option(name: .shortAndLong, help: "Forecasts CSV to write.") var output: String

        func validate() throws {
            try LawCLI.checkLevel(level)
            guard draws >= 100 else { throw ValidationError("--draws: expected at least 100, got \(draws)") }
            guard trials >= 1 else { throw ValidationError("--trials: expected at least 1, got \(trials)") }
            let single = params != nil || tokens != nil || flops != nil
            guard (models != nil) != single else {
                throw ValidationError("give either --models FILE.csv or one model's --params and --tokens (or --flops)")
            }
            if models != nil && (model != nil || family != nil) {
                throw ValidationError("--model and --family describe one model; with --models they come from the CSV")
            }
        }

        func run() throws {
            let lawFile = try AbilityLaw.read(law)
            let result = try FitResult.read(fit)
            try lawFile.checkBelongs(to: result, fitPath: fit, lawPath: law)
            var bank = try CalibratedItems(fit: result)
            if let psi = lawFile.dispersion, lawFile.dispersionBenchmarks == bank.benchmarkNames { bank.dispersion = psi }
            if let r = lawFile.resolution, lawFile.resolutionBenchmarks == bank.benchmarkNames { bank.resolution = r }
            var options = ForecastOptions()
            options.level = level; options.draws = draws; options.trials = trials
            let forecaster = try Forecaster(law: lawFile, bank: bank, options: options)
            let targets = try models.map { try CovariateSource.csv($0) }
                ?? [ModelCovariates(name: model ?? "model", family: family, params: params ?? .nan,
                                    tokens: tokens ?? .nan, flops: flops ?? .nan)]
            let set = lawFile.transform.kind
            var forecasts: [ModelForecast] = [], skipped: [String] = []
            for t in targets {
                guard let raw = t.raw(set) else { skipped.append(t.name); continue }
                forecasts.append(forecaster.forecast(name: t.name, family: t.family, raw: raw))
            }
            if models == nil && forecasts.isEmpty {
                throw ValidationError(set == .flops
                    ? "this law needs --flops (or --params and --tokens), positive"
                    : "this law (params-tokens) needs --params and --tokens, positive; for a FLOPs budget see irsl optimal")
            }
            try writeTextAtomically(output, Forecaster.csv(forecasts))
            let pct = Int((level * 100).rounded())
            print("irsl forecast: \(forecasts.count) model(s) from \(law) with the items of \(fit); \(pct)% intervals")
            if !skipped.isEmpty {
                print("  skipped \(skipped.count) model(s) without \(set == .flops ? "FLOPs (or params and tokens)" : "params and tokens"): \(skipped.prefix(5).joined(separator: ", "))\(skipped.count > 5 ? ", …" : "")")
            }
            for f in forecasts.prefix(20) {
                let abilities = (0..<lawFile.dims).map {
                    String(format: "%.3f [%.3f, %.3f]", f.ability.mean[$0], f.abilityLower[$0], f.abilityUpper[$0])
                }.joined(separator: "; ")
                print("  \(f.name) (\(f.family ?? "no family"), \(f.ability.familySeen ? "family seen" : "new family")): ability \(abilities)")
                if forecasts.count <= 3 {
                    for b in f.benchmarks {
                        print("    " + LawCLI.pad(b.benchmark, 28) + String(format: " %.3f  [%.3f, %.3f]", b.predicted, b.lower, b.upper))
                    }
                }
            }
            if forecasts.count > 20 { print("  … \(forecasts.count - 20) more in \(output)") }
            print("wrote \(output)")
        }
    }
}
