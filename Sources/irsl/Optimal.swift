import ArgumentParser
import Foundation
import ScalingLaw
import Store

extension IRSL {
    struct Optimal: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Split a compute budget (C ≈ 6·params·tokens) between parameters and tokens under a translog law.",
            discussion: """
            For every ability dimension, the split that maximises the predicted ability; with --benchmark B
            (and --fit, whose items score the abilities), the split that maximises B's predicted score.
            The search stays within the law's training ranges of params and tokens widened by one decade,
            and says so when the optimum sits on that edge. See docs/scaling-law.md.
            """)

        @Argument(help: "Law file (irsl law --covariates params-tokens).") var law: String
        @Option(help: "Compute budget in FLOPs (same units as the law's covariates).") var flops: Double
        @Option(help: "Benchmark whose predicted score to maximise (needs --fit).") var benchmark: String?
        @Option(help: "The fit the law was made from (for --benchmark).") var fit: String?
        @Option(help: "Family (default: the population line, a new family).") var family: String?

        func validate() throws {
            guard flops > 0 else { throw ValidationError("--flops: expected a positive budget, got \(flops)") }
            if benchmark != nil && fit == nil { throw ValidationError("--benchmark needs --fit FIT.h5 (the items that score the abilities)") }
        }

        func run() throws {
            let lawFile = try AbilityLaw.read(law)
            var results: [ComputeOptimum] = []
            for k in 0..<lawFile.dims {
                results.append(try ComputeOptimal.solve(law: lawFile, flops: flops, family: family,
                                                        target: lawFile.dims == 1 ? "ability" : "dimension \(k + 1)") { $0[k] })
            }
            if let benchmark, let fit {
                let result = try FitResult.read(fit)
                try lawFile.checkBelongs(to: result, fitPath: fit, lawPath: law)
                let bank = try CalibratedItems(fit: result)
                guard let b = bank.benchmarkNames.firstIndex(of: benchmark) else {
                    throw StoreError(file: fit, field: "/items/benchmark", message: "no benchmark '\(benchmark)'; found \(bank.benchmarkNames.joined(separator: ", "))")
                }
                let items = bank.itemsOfBenchmark[b]
                results.append(try ComputeOptimal.solve(law: lawFile, flops: flops, family: family, target: benchmark) { theta in
                    items.reduce(0.0) { $0 + bank.probability($1, theta: theta) } / Double(items.count)
                })
            }
            print(String(format: "irsl optimal: budget %.3g FLOPs (params × tokens = %.3g), ", flops, flops / 6)
                  + (family.map { "family \($0)" } ?? "population line (new family)"))
            for r in results {
                print("  " + LawCLI.pad(r.target, 24) + String(format: " params %.3g  tokens %.3g  (tokens/params %.3g in the law's units)  predicted %.4f",
                                                              r.params, r.tokens, r.tokens / r.params, r.value)
                      + (r.interior ? "" : "  [at the edge of the searched range: the law keeps improving beyond its data]"))
            }
        }
    }
}
