import ArgumentParser
import Dispatch
import Foundation
import IRT
import Simulation
import Store

extension IRSL {
    struct Simulate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a simulated response file with known truth (docs/format.md).",
            discussion: "Abilities follow a log-compute law per family; rows are written in blocks, in parallel, so files larger than memory are fine.")

        @Option(help: "Number of models (rows).") var models = 2000
        @Option(help: "Number of questions (columns).") var items = 5000
        @Option(help: "Number of benchmarks (contiguous blocks of questions).") var benchmarks = 10
        @Option(help: "Response distribution: beta, bernoulli, binomial or beta-binomial.") var response: String = "beta"
        @Option(help: "Samples per entry for --response binomial.") var trials = 10
        @Option(help: "Latent ability dimensions K.") var dims = 1
        @Option(help: "Chance floor g of every item, written to /items/floor.") var floor = 0.0
        @Option(help: "Fraction of entries missing at random.") var missing = 0.0
        @Option(help: "Number of model families.") var families = 10
        @Option(help: "Random seed.") var seed: UInt64 = 1
        @Option(help: "Rows per HDF5 chunk (and per write).") var chunkRows = 16
        @Option(name: .shortAndLong, help: "Output HDF5 file.") var output: String

        func validate() throws {
            guard ResponseModel(rawValue: response) != nil else {
                throw ValidationError("--response: expected beta, bernoulli, binomial or beta-binomial; got '\(response)'")
            }
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
            spec.response = ResponseModel(rawValue: response)!
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

/// Writes a simulator's matrix and truth in the response-file format.
enum SimulatedFile {
    static func write(_ spec: SimulationSpec, to path: String, chunkRows: Int) throws {
        let sim = Simulator(spec)
        let kind: ResponseKind = spec.response == .beta ? .probability : spec.response == .bernoulli ? .binary : .proportion
        var info = ResponseFileInfo(
            path: path, models: spec.models, items: spec.items, kind: kind, hasTrials: spec.response.needsTrials,
            modelNames: sim.modelNames, families: sim.familyNames,
            params: sim.params, tokens: sim.tokens, flops: sim.flops,
            itemIDs: sim.itemIDs, benchmarks: sim.itemBenchmarks,
            floor: spec.floor > 0 ? sim.g : nil)
        info.likelihood = spec.response.rawValue   // the truth's likelihood: what `fit --response auto` uses
        try writeAtomically(path) { file in
            try writeResponseMetadata(file, info: info)
            try Truth(theta: sim.theta, a: sim.a, d: sim.d, g: sim.g, phi: sim.phi, dims: spec.dims).write(file)
            let n = spec.items
            let block = max(1, chunkRows) * 8
            try file.createMatrix("/responses", type: .float32, rows: spec.models, cols: n, chunkRows: chunkRows)
            if spec.response.needsTrials {
                try file.createMatrix("/trials", type: .int32, rows: spec.models, cols: n, chunkRows: chunkRows)
            }
            // Generate a block of rows on all cores, then write it; memory stays O(block × N).
            var responses = [Float](repeating: 0, count: block * n)
            var trials = [Int32](repeating: 0, count: spec.response.needsTrials ? block * n : 0)
            let workers = max(1, ProcessInfo.processInfo.activeProcessorCount)
            for start in stride(from: 0, to: spec.models, by: block) {
                let rows = start..<min(start + block, spec.models)
                responses.withUnsafeMutableBufferPointer { r in
                    trials.withUnsafeMutableBufferPointer { t in
                        let rBase = r, tBase = t
                        DispatchQueue.concurrentPerform(iterations: workers) { w in
                            let lo = rows.lowerBound + rows.count * w / workers
                            let hi = rows.lowerBound + rows.count * (w + 1) / workers
                            guard lo < hi else { return }
                            let offset = (lo - rows.lowerBound) * n
                            let rs = UnsafeMutableBufferPointer(rebasing: rBase[offset..<(offset + (hi - lo) * n)])
                            let ts = tBase.isEmpty ? nil : UnsafeMutableBufferPointer(rebasing: tBase[offset..<(offset + (hi - lo) * n)])
                            sim.fill(rows: lo..<hi, responses: rs, trials: ts)
                        }
                    }
                }
                try responses.withUnsafeBufferPointer {
                    try file.writeRows("/responses", rowStart: rows.lowerBound, rowCount: rows.count,
                                       floats: UnsafeBufferPointer(rebasing: $0[0..<(rows.count * n)]))
                }
                if spec.response.needsTrials {
                    try trials.withUnsafeBufferPointer {
                        try file.writeRows("/trials", rowStart: rows.lowerBound, rowCount: rows.count,
                                           ints: UnsafeBufferPointer(rebasing: $0[0..<(rows.count * n)]))
                    }
                }
            }
        }
    }
}
