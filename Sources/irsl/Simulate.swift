import ArgumentParser
import Foundation
import IRT
import Simulation

extension IRSL {
    struct Simulate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a simulated response file with known truth (docs/format.md).",
            discussion: "Abilities follow a log-compute law per family; rows are written in blocks, in parallel, so files larger than memory are fine.")

        @Option(help: "Number of models (rows).") var models = 2000
        @Option(help: "Number of questions (columns).") var items = 5000
        @Option(help: "Number of benchmarks (contiguous blocks of questions).") var benchmarks = 10
        @Option(help: "Response distribution.") var response: ResponseModel = .beta
        @Option(help: "Samples per entry for --response binomial.") var trials = 10
        @Option(help: "Latent ability dimensions K.") var dims = 1
        @Option(help: "Chance floor g of every item, written to /items/floor.") var floor = 0.0
        @Option(help: "Fraction of entries missing at random.") var missing = 0.0
        @Option(help: "Number of model families.") var families = 10
        @Option(help: "Random seed.") var seed: UInt64 = 1
        @Option(help: "Rows per HDF5 chunk (and per write).") var chunkRows = 16
        @Option(name: .shortAndLong, help: "Output HDF5 file.") var output: String

        func validate() throws {
            guard models > 0, items > 0 else { throw ValidationError("--models and --items must be positive") }
            guard benchmarks >= 1, benchmarks <= items else { throw ValidationError("--benchmarks: expected 1…\(items), got \(benchmarks)") }
            guard dims >= 1 else { throw ValidationError("--dims: expected ≥ 1") }
            guard floor >= 0, floor < 1 else { throw ValidationError("--floor: expected a value in [0, 1)") }
            guard missing >= 0, missing < 1 else { throw ValidationError("--missing: expected a fraction in [0, 1)") }
            guard families >= 1 else { throw ValidationError("--families: expected ≥ 1") }
            guard trials >= 1 else { throw ValidationError("--trials: expected ≥ 1") }
        }

        func run() throws {
            var spec = SimulationSpec()
            spec.models = models; spec.items = items; spec.benchmarks = benchmarks
            spec.response = response
            spec.trials = trials; spec.dims = dims; spec.floor = floor; spec.missing = missing
            spec.families = families; spec.seed = seed
            let start = Date()
            try SimulatedFile.write(spec, to: output, chunkRows: chunkRows)
            let bytes = Double(models) * Double(items) * 4
            print(String(format: "wrote %@: %d models × %d items (%.1f MB of responses) in %.1f s",
                         output, models, items, bytes / 1e6, Date().timeIntervalSince(start)))
        }
    }
}
