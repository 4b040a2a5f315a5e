import CSignal
import MessagePassing
import Foundation
import IRT
import Store

/// A whole `irsl fit`: check the input, read this rank's shard, fit (with
/// checkpoints and resume), compute standard errors, and (on rank 0) write
/// the output file and its CSV twins.
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
    /// Where checkpoints go; nil means `<output>.ckpt`, used only when a signal asks for one.
    public var checkpoint: String?
    /// Minimum seconds between periodic checkpoints (0: after every iteration).
    public var checkpointEvery: Double = 600
    /// Continue from the checkpoint instead of starting afresh.
    public var resume = false
    /// Replace an existing output file.
    public var overwrite = false

    public init(input: String, output: String, options: FitOptions) {
        self.input = input; self.output = output; self.options = options
    }

    /// Process exit codes of `irsl fit` (docs/checkpoints.md).
    public enum ExitCode {
        public static let success: Int32 = 0
        /// Bad input, bad option, or a failed rank.
        public static let failure: Int32 = 1
        /// A signal stopped the fit at an iteration boundary after a checkpoint: resume it (EX_TEMPFAIL).
        public static let checkpointed: Int32 = 75
    }

    public var checkpointPath: String { checkpoint ?? output + ".ckpt" }

    /// The likelihood for a file (`auto`): the file's own `likelihood`
    /// attribute when it has one (simulated files), else by `response_kind`:
    /// `binary` → Bernoulli; `probability` → the Bernoulli quasi-likelihood
    /// (consistent for the mean whatever the entries' distribution on [0, 1],
    /// which is what judge and token probabilities need; docs/estimator.md);
    /// `proportion` (with /trials) → beta-binomial.
    public static func resolve(_ choice: String, kind: ResponseKind, declared: String? = nil, path: String) throws -> ResponseModel {
        if choice == "auto" {
            if let declared, let model = ResponseModel(rawValue: declared) { return model }
            switch kind {
            case .binary: return .bernoulli
            case .probability: return .bernoulli
            case .proportion: return .betaBinomial
            }
        }
        guard let model = ResponseModel(rawValue: choice) else {
            throw FitError("--response: expected auto, beta, bernoulli, binomial or beta-binomial; got '\(choice)'")
        }
        return model
    }

    public struct Outcome {
        /// nil when the fit was interrupted (no output is written then).
        public var result: FitResult?
        public var summary: FitSummary
        public var recovery: Recovery?
    }

    /// Checks made before any data is read, identically on every rank.
    func checkOutputs(comm: Communicator) throws {
        let fm = FileManager.default
        for path in [output, checkpointPath] {
            let dir = (path as NSString).deletingLastPathComponent
            var isDir: ObjCBool = false
            if !dir.isEmpty, !(fm.fileExists(atPath: dir, isDirectory: &isDir) && isDir.boolValue) {
                throw FitError("\(path): the directory \(dir) does not exist")
            }
        }
        if fm.fileExists(atPath: output) && !overwrite {
            throw FitError("\(output): the output file already exists; use --overwrite to replace it")
        }
        if resume && !fm.fileExists(atPath: checkpointPath) && !fm.fileExists(atPath: checkpointPath + ".prev") {
            throw FitError("\(checkpointPath): --resume was given but there is no checkpoint")
        }
    }

    /// Duplicate ids, impossible rank counts: metadata errors every rank sees alike.
    static func checkMetadata(_ info: ResponseFileInfo, ranks: Int) throws {
        if ranks > info.models {
            throw FitError("\(info.path): \(ranks) ranks but only \(info.models) models; use at most \(info.models) ranks")
        }
        for (field, ids) in [("/models/name", info.modelNames), ("/items/id", info.itemIDs)] {
            var seen = Set<String>()
            for (i, id) in ids.enumerated() where !seen.insert(id).inserted {
                throw StoreError(file: info.path, field: field, message: "duplicate id '\(id)' at index \(i); ids must be unique")
            }
        }
    }

    /// Runs the fit. `report` receives progress lines on rank 0 only.
    ///
    /// Three steps: `prepare` checks and reads everything a wrong input could
    /// fail on before any iteration; `iterate` fits with checkpoints at
    /// iteration boundaries; `assemble` computes the standard errors and the
    /// timings and writes the output (rank 0).
    @discardableResult
    public func run(comm: Communicator, report: @escaping (String) -> Void) throws -> Outcome {
        let say: (String) -> Void = { if comm.isRoot { report($0) } }
        let (prepared, data) = try prepare(comm: comm, say: say)
        let fitted = try iterate(data, prepared, comm: comm, say: say)
        if fitted.summary.interrupted {
            return Outcome(result: nil, summary: fitted.summary, recovery: nil)
        }
        return try assemble(fitted, prepared, comm: comm, say: say)
    }

    /// What `prepare` read and checked, besides the shard (which goes into the
    /// `CalibrationData`, so the calibrator holds its only copy).
    struct Prepared {
        let info: ResponseFileInfo
        /// The job's options with the likelihood resolved for the file.
        let options: FitOptions
        let benchmarkNames: [String]
        let fingerprint: InputFingerprint
        /// The checkpoint to resume from (`--resume`).
        let restored: Checkpoint?
        /// Slowest rank's time to read its shard.
        let readSeconds: Double
    }

    /// Checks the outputs, the metadata, the options and a resume's checkpoint
    /// (before the shard is read: a wrong checkpoint fails fast), then reads
    /// and checks this rank's shard.
    func prepare(comm: Communicator, say: (String) -> Void) throws -> (Prepared, CalibrationData) {
        try checkOutputs(comm: comm)
        let info = try ResponseFileInfo.read(input)
        try Self.checkMetadata(info, ranks: comm.size)
        var options = self.options
        options.response = try Self.resolve(responseChoice, kind: info.kind, declared: info.likelihood, path: input)
        try options.validate()

        let floors = try Self.floors(info, options: options, path: input)
        let benchmarkNames = BenchmarkIndex(itemBenchmarks: info.benchmarks).names

        let fingerprint = try InputFingerprint.of(input, info: info)
        var restored: Checkpoint?
        if resume {
            let checkpoint = try Checkpoint.readNewestValid(checkpointPath, note: { say("note: \($0)") })
            if let difference = fingerprint.difference(from: checkpoint.header.fingerprint) {
                throw FitError("\(checkpointPath): the checkpoint belongs to another input: \(difference)")
            }
            if let difference = options.incompatibility(with: checkpoint.header.options) {
                throw FitError("\(checkpointPath): incompatible checkpoint: \(difference)")
            }
            restored = checkpoint
        }

        let part = RowPartition(rows: info.models, parts: comm.size, index: comm.rank)
        let loadStart = Date()
        var shard = try Shard.load(input, info: info, rows: part.range, needTrials: options.response.needsTrials)
        try shard.prepare(for: options.response, path: input, itemIDs: info.itemIDs)
        try Self.checkCoverage(shard, info: info, comm: comm, model: options.model, say: say)
        let readSeconds = comm.allreduceMax(Date().timeIntervalSince(loadStart))
        say("irsl fit: \(info.models) models × \(info.items) items, \(benchmarkNames.count) benchmarks, \(options.model.rawValue) K=\(options.dims) \(options.response.rawValue), \(comm.size) rank(s); shards read in \(String(format: "%.2f", Date().timeIntervalSince(loadStart))) s")
        let prepared = Prepared(info: info, options: options, benchmarkNames: benchmarkNames, fingerprint: fingerprint,
                                restored: restored, readSeconds: readSeconds)
        return (prepared, CalibrationData(shard: shard, totalModels: info.models, itemIDs: info.itemIDs,
                                          itemBenchmarks: info.benchmarks, floors: floors))
    }

    /// The iterations, through the one `calibrate` entry point, with
    /// checkpoints at iteration boundaries: when due (`checkpointEvery`, with
    /// `--checkpoint`), when any rank got a stop signal (then the fit ends
    /// interrupted), and at the end (with `--checkpoint`).
    func iterate(_ data: consuming CalibrationData, _ prepared: Prepared, comm: Communicator,
                 say: @escaping (String) -> Void) throws -> CalibrationResult {
        let info = prepared.info, options = prepared.options, restored = prepared.restored
        irsl_install_stop_handlers()
        var lastCheckpoint = Date()
        let periodic = checkpoint != nil
        let writeCheckpoint = { (calibrator: Calibrator, reason: String) throws in
            let theta = calibrator.gatherTheta(calibrator.theta)
            if comm.isRoot {
                let items = calibrator.items
                var header = Checkpoint.Header(
                    iteration: calibrator.history.count, reason: reason, ranks: comm.size, options: options,
                    fingerprint: prepared.fingerprint, models: info.models, items: info.items, dims: options.dims,
                    benchmarks: prepared.benchmarkNames.count, irslVersion: version,
                    written: ISO8601DateFormatter().string(from: Date()))
                header.prior = calibrator.prior
                try Checkpoint(header: header, theta: theta, a: items.a, d: items.d, g: items.g, phi: items.phi,
                               history: calibrator.history).write(to: checkpointPath)
            }
            comm.barrier()   // nobody leaves before the file is complete
            lastCheckpoint = Date()
        }
        let hooks = CalibrationHooks(
            start: { calibrator in
                if options.response == .beta {
                    let clamped = calibrator.clampedCount
                    if clamped > 0 { say("note: \(clamped) responses at or beyond [\(betaClampEpsilon), 1 − \(betaClampEpsilon)] (exact 0/1 included) enter the Beta likelihood as censored") }
                }
                if let checkpoint = restored {
                    calibrator.restore(checkpoint)
                    say("resumed from \(checkpointPath) at iteration \(checkpoint.header.iteration) (written by \(checkpoint.header.ranks) rank(s), \(checkpoint.header.reason))")
                }
            },
            progress: { say(ProgressLine.format($0)) },
            boundary: { calibrator, iteration in
                var flags = [Double(irsl_stop_signal()),
                             periodic && comm.isRoot && Date().timeIntervalSince(lastCheckpoint) >= checkpointEvery ? 1 : 0]
                comm.allreduceMax(&flags)
                if flags[0] > 0 {
                    try writeCheckpoint(calibrator, "signal")
                    say("signal \(Int(flags[0])) received: checkpoint of iteration \(iteration) written to \(checkpointPath); resume with --resume")
                    return true
                }
                if flags[1] > 0 { try writeCheckpoint(calibrator, "periodic") }
                return false
            })
        let fitted = try calibrate(data, options: options, comm: comm, hooks: hooks)
        let summary = fitted.summary
        if summary.interrupted { return fitted }
        if periodic { try writeCheckpoint(fitted.calibrator, summary.converged ? "final" : "iteration limit") }
        say(summary.converged
            ? "converged after \(summary.iterations) iterations in \(String(format: "%.1f", summary.seconds)) s"
            : "stopped at the iteration limit (\(summary.iterations)) without meeting the tolerance")
        return fitted
    }

    /// The fit file from a finished calibration: standard errors, the
    /// information criteria, the timings and peak memory (gathered from every
    /// rank), written by rank 0 with a recovery summary when the input holds
    /// the truth.
    func assemble(_ fitted: CalibrationResult, _ prepared: Prepared, comm: Communicator,
                  say: (String) -> Void) throws -> Outcome {
        let info = prepared.info, options = prepared.options, benchmarkNames = prepared.benchmarkNames
        let calibrator = fitted.calibrator, summary = fitted.summary
        let seStart = Date()
        let se = calibrator.standardErrors()
        let seSeconds = Date().timeIntervalSince(seStart)
        let theta = calibrator.gatherTheta(calibrator.theta)
        let thetaSE = calibrator.gatherTheta(se.thetaSE)
        let items = calibrator.items
        let nPar = calibrator.parameterCount
        let ll = summary.logLikelihood
        let attributes = FitAttributes(
            loglik: ll, nParameters: nPar, aic: 2 * Double(nPar) - 2 * ll,
            bic: Double(nPar) * log(Double(summary.observations)) - 2 * ll,
            iterations: summary.iterations, converged: summary.converged, ranks: comm.size,
            seconds: summary.seconds, model: options.model.rawValue, response: options.response.rawValue,
            irslVersion: version, command: command, clampedEntries: summary.clampedEntries,
            nObservations: summary.observations)
        var result = FitResult(
            modelNames: info.modelNames, theta: theta, thetaSE: thetaSE,
            itemIDs: info.itemIDs, itemBenchmarks: info.benchmarks,
            a: items.a, d: items.d, g: items.g, aSE: se.aSE, dSE: se.dSE,
            benchmarkNames: benchmarkNames,
            phi: options.response.hasPrecision ? items.phi : [Double](repeating: .nan, count: benchmarkNames.count),
            dims: options.dims, logLikelihoodHistory: summary.history, attributes: attributes)
        // The fit file is self-contained: its input, its timings and its models' covariates (docs/format.md).
        result.attributes.input = URL(fileURLWithPath: input).standardizedFileURL.path
        if options.model == .twoPL && options.dims > 1 { result.attributes.rotation = calibrator.rotation.rawValue }
        result.attributes.timings = reportPerformance(fitted, prepared, standardErrorSeconds: seSeconds, comm: comm, say: say)
        result.recordCovariates(of: info)
        var recovery: Recovery?
        if comm.isRoot {
            try result.write(to: output)
            say("wrote \(output) (+ .abilities.csv, .items.csv); loglik \(String(format: "%.6e", ll)), AIC \(String(format: "%.6e", attributes.aic)), BIC \(String(format: "%.6e", attributes.bic))")
            recovery = recoverySummary(result, info: info, say: say)
        }
        return Outcome(result: result, summary: summary, recovery: recovery)
    }

    /// The performance, timings and memory lines, with peak memory of every
    /// rank (for the user sizing a job, and for `make bench`); returns the
    /// timings the fit file records.
    func reportPerformance(_ fitted: CalibrationResult, _ prepared: Prepared, standardErrorSeconds seSeconds: Double,
                           comm: Communicator, say: (String) -> Void) -> FitTimings {
        let info = prepared.info, calibrator = fitted.calibrator, summary = fitted.summary
        var peaks = [Double](repeating: 0, count: comm.size)
        peaks[comm.rank] = ResourceUsage.peakResidentBytes()
        comm.allreduceMax(&peaks)
        let perIteration = summary.iterationSeconds / Double(max(summary.iterations - (prepared.restored?.header.iteration ?? 0), 1))
        let entriesPerRank = Double(summary.observations) / Double(comm.size)
        let shardBytes = Double(RowPartition(rows: info.models, parts: comm.size, index: 0).count * info.items * 4)
        // Which pass ran: the kernels' lanes (IRSL_VECTOR_LANES caps them) or the Swift loop.
        let path = calibrator.usesKernels ? "kernels \(VectorKernels.lanes) lanes" : "Swift reference loop"
        say(String(format: "performance: %.2f s in %d iterations (%.3f s/iteration), %.2f ns per entry per pass per rank, standard errors %.2f s, %@",
                   summary.iterationSeconds, summary.iterations, perIteration, 1e9 * perIteration / max(entriesPerRank, 1), seSeconds, path))
        let reduceSeconds = comm.allreduceMax(calibrator.allreduceSeconds)
        let timings = FitTimings(readSeconds: prepared.readSeconds, computeSeconds: max(summary.iterationSeconds - reduceSeconds, 0),
                                 allreduceSeconds: reduceSeconds, peakRSSMB: (peaks.max() ?? 0) / 1e6)
        say(String(format: "timings: read_seconds=%.3f compute_seconds=%.3f allreduce_seconds=%.3f iterations=%d peak_rss_mb=%.1f",
                   timings.readSeconds, timings.computeSeconds, timings.allreduceSeconds, summary.iterations, timings.peakRSSMB))
        say("memory: peak RSS per rank " + peaks.map { String(format: "%.0f MB", $0 / 1e6) }.joined(separator: ", ")
            + String(format: "; largest shard %.0f MB of responses", shardBytes / 1e6))
        return timings
    }

    /// How well a simulated file's truth was recovered (nil without truth).
    /// The output is already written: nothing about the truth may fail the fit now.
    func recoverySummary(_ result: FitResult, info: ResponseFileInfo, say: (String) -> Void) -> Recovery? {
        do {
            let file = try H5File(input, mode: .readOnly)
            defer { file.close() }
            if let truth = try Truth.read(file, shape: (info.models, info.items)) {
                let r = Recovery(truth: truth, fit: result)
                say(r.summary)
                return r
            }
        } catch {
            say("note: no recovery summary: \(error)")
        }
        return nil
    }

    /// The fixed lower asymptotes: the file's floors with --floor-from-file, else zeros.
    public static func floors(_ info: ResponseFileInfo, options: FitOptions, path: String) throws -> [Double] {
        guard options.floorFromFile else { return [Double](repeating: 0, count: info.items) }
        guard let f = info.floor else {
            throw StoreError(file: path, field: "/items/floor", message: "--floor-from-file was given but the file has no floors")
        }
        return f
    }

    /// Every model needs an observed entry, and so does every item; items
    /// whose observed responses are all equal are fitted (the ridge holds
    /// their discrimination near 0 and their intercept finite) and reported.
    static func checkCoverage(_ shard: Shard, info: ResponseFileInfo, comm: Communicator, model: ItemModel, say: (String) -> Void) throws {
        let n = shard.items
        var counts = [Double](repeating: 0, count: n)
        var range = [Double](repeating: -.infinity, count: 2 * n)   // max y, max −y
        try shard.responses.withUnsafeBufferPointer { y in
            for r in 0..<shard.rows {
                var rowCount = 0
                for j in 0..<n {
                    let v = y[r * n + j]
                    if v.isNaN { continue }
                    rowCount += 1
                    counts[j] += 1
                    range[j] = max(range[j], Double(v))
                    range[n + j] = max(range[n + j], -Double(v))
                }
                if rowCount == 0 {
                    throw StoreError(file: info.path, field: "/responses",
                                     message: "model '\(info.modelNames[shard.rowStart + r])' (row \(shard.rowStart + r)) has no observed entry; remove it or give it responses")
                }
            }
        }
        comm.allreduceSum(&counts)
        comm.allreduceMax(&range)
        if let j = counts.firstIndex(of: 0) {
            throw StoreError(file: info.path, field: "/responses",
                             message: "item '\(info.itemIDs[j])' (column \(j)) has no observed entry; remove it or give it responses")
        }
        let constant = (0..<n).filter { range[$0] == -range[n + $0] }
        if !constant.isEmpty {
            let examples = constant.prefix(3).map { "'\(info.itemIDs[$0])'" }.joined(separator: ", ")
            say("note: \(constant.count) item(s) have the same response from every model (e.g. \(examples)); "
                + (model == .twoPL ? "their discrimination is not identified: the ridge holds it near 0, and their SEs are large" : "the ridge keeps their intercepts finite"))
        }
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
