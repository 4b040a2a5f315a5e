import Distributed
import Foundation
import IRT
import Store

/// A whole `irsl fit`: read this rank's shard, fit, compute standard
/// errors, and (on rank 0) write the output file and its CSV twins.
///
/// Every rank runs this; errors are thrown to the caller, which must end the
/// job with `Communicator.abort` (never a normal MPI shutdown).
public struct CalibrationJob {
    public var input: String
    public var output: String
    public var options: FitOptions
    /// `auto` chooses from the file's response_kind.
    public var responseChoice: String = "auto"
    public var command: String = "irsl fit"
    public var version: String = "0.1.0"

    public init(input: String, output: String, options: FitOptions) {
        self.input = input; self.output = output; self.options = options
    }

    /// The likelihood for a file: `binary` → Bernoulli, `probability` → Beta,
    /// `proportion` (with /trials) → binomial.
    public static func resolve(_ choice: String, kind: ResponseKind, path: String) throws -> ResponseModel {
        if choice == "auto" {
            switch kind {
            case .binary: return .bernoulli
            case .probability: return .beta
            case .proportion: return .binomial
            }
        }
        guard let model = ResponseModel(rawValue: choice) else {
            throw FitError("--response: expected auto, beta, bernoulli or binomial; got '\(choice)'")
        }
        return model
    }

    public struct Outcome {
        public var result: FitResult
        public var summary: FitSummary
        public var recovery: Recovery?
    }

    /// Runs the fit. `report` receives progress lines on rank 0 only.
    @discardableResult
    public func run(comm: Communicator, report: @escaping (String) -> Void) throws -> Outcome {
        let info = try ResponseFileInfo.read(input)
        var options = self.options
        options.response = try Self.resolve(responseChoice, kind: info.kind, path: input)
        try options.validate()
        let say: (String) -> Void = { if comm.isRoot { report($0) } }

        let floors: [Double]
        if options.floorFromFile {
            guard let f = info.floor else {
                throw StoreError(file: input, field: "/items/floor", message: "--floor-from-file was given but the file has no floors")
            }
            for (j, v) in f.enumerated() where !(v >= 0 && v < 1) {
                throw StoreError(file: input, field: "/items/floor", message: "item \(info.itemIDs[j]) has floor \(v); expected a value in [0, 1)")
            }
            floors = f
        } else {
            floors = [Double](repeating: 0, count: info.items)
        }
        var benchmarkNames: [String] = []
        var index: [String: Int32] = [:]
        let benchmarkOfItem: [Int32] = info.benchmarks.map { name in
            if let i = index[name] { return i }
            let i = Int32(benchmarkNames.count)
            index[name] = i
            benchmarkNames.append(name)
            return i
        }

        let part = RowPartition(rows: info.models, parts: comm.size, index: comm.rank)
        let loadStart = Date()
        var shard = try Shard.load(input, info: info, rows: part.range, needTrials: options.response == .binomial)
        try shard.prepare(for: options.response, path: input, itemIDs: info.itemIDs)
        say("irsl fit: \(info.models) models × \(info.items) items, \(benchmarkNames.count) benchmarks, \(options.model.rawValue) K=\(options.dims) \(options.response.rawValue), \(comm.size) rank(s); shards read in \(String(format: "%.2f", Date().timeIntervalSince(loadStart))) s")

        let calibrator = Calibrator(options: options, comm: comm, totalModels: info.models, shard: shard,
                                    floors: floors, benchmarkOfItem: benchmarkOfItem, benchmarkCount: benchmarkNames.count)
        shard = Shard(rowStart: 0, rows: 0, items: 0, responses: [])   // the calibrator holds the only copy
        if options.response == .beta {
            let clamped = calibrator.clampedCount
            if clamped > 0 { say("note: \(clamped) exact 0/1 responses clamped to [\(betaClampEpsilon), 1 − \(betaClampEpsilon)] for the Beta likelihood") }
        }
        let summary = calibrator.fit { r in
            say(ProgressLine.format(r))
        }
        say(summary.converged
            ? "converged after \(summary.iterations) iterations in \(String(format: "%.1f", summary.seconds)) s"
            : "stopped at the iteration limit (\(summary.iterations)) without meeting the tolerance")

        let seStart = Date()
        let se = calibrator.standardErrors()
        let seSeconds = Date().timeIntervalSince(seStart)
        let theta = calibrator.gatherTheta(calibrator.theta)
        let thetaSE = calibrator.gatherTheta(se.thetaSE)
        let items = calibrator.items
        let k = options.dims
        let nPar = calibrator.parameterCount
        let ll = summary.logLikelihood
        let attributes = FitAttributes(
            loglik: ll, nParameters: nPar, aic: 2 * Double(nPar) - 2 * ll,
            bic: Double(nPar) * log(Double(summary.observations)) - 2 * ll,
            iterations: summary.iterations, converged: summary.converged, ranks: comm.size,
            seconds: summary.seconds, model: options.model.rawValue, response: options.response.rawValue,
            irslVersion: version, command: command, clampedEntries: summary.clampedEntries,
            nObservations: summary.observations)
        let result = FitResult(
            modelNames: info.modelNames, theta: theta, thetaSE: thetaSE,
            itemIDs: info.itemIDs, itemBenchmarks: info.benchmarks,
            a: items.a, d: items.d, g: items.g, aSE: se.aSE, dSE: se.dSE,
            benchmarkNames: benchmarkNames,
            phi: options.response == .beta ? items.phi : [Double](repeating: .nan, count: benchmarkNames.count),
            dims: k, logLikelihoodHistory: summary.history, attributes: attributes)
        // Peak memory of every rank, for the user sizing a job (and for `make bench`).
        var peaks = [Double](repeating: 0, count: comm.size)
        peaks[comm.rank] = ResourceUsage.peakResidentBytes()
        comm.allreduceMax(&peaks)
        let perIteration = summary.iterationSeconds / Double(max(summary.iterations, 1))
        let entriesPerRank = Double(summary.observations) / Double(comm.size)
        let shardBytes = Double(RowPartition(rows: info.models, parts: comm.size, index: 0).count * info.items * 4)
        say(String(format: "performance: %.2f s in %d iterations (%.3f s/iteration), %.2f ns per entry per pass per rank, standard errors %.2f s",
                   summary.iterationSeconds, summary.iterations, perIteration, 1e9 * perIteration / max(entriesPerRank, 1), seSeconds))
        say("memory: peak RSS per rank " + peaks.map { String(format: "%.0f MB", $0 / 1e6) }.joined(separator: ", ")
            + String(format: "; largest shard %.0f MB of responses", shardBytes / 1e6))
        var recovery: Recovery?
        if comm.isRoot {
            try result.write(to: output)
            say("wrote \(output) (+ .abilities.csv, .items.csv); loglik \(String(format: "%.6e", ll)), AIC \(String(format: "%.6e", attributes.aic)), BIC \(String(format: "%.6e", attributes.bic))")
            let file = try H5File(input, mode: .readOnly)
            defer { file.close() }
            if let truth = try Truth.read(file) {
                let r = Recovery(truth: truth, fit: result)
                recovery = r
                say(r.summary)
            }
        }
        return Outcome(result: result, summary: summary, recovery: recovery)
    }
}

/// The progress line rank 0 prints after every iteration.
public enum ProgressLine {
    public static func format(_ r: IterationReport) -> String {
        let eta = r.eta.map { String(format: "ETA %.0f s", $0) } ?? "ETA ?"
        let rel = r.relativeChange.isFinite ? String(format: "%.2e", r.relativeChange) : "-"
        return String(format: "iter %4d  loglik %.8e  rel.change %@  max|Δ| %.2e  %.2f s/iter  %.3g entries/s  %@",
                      r.iteration, r.logLikelihood, rel, r.maxParameterChange, r.seconds, r.entriesPerSecond, eta)
    }
}
