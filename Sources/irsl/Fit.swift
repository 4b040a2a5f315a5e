import ArgumentParser
import Calibration
import Distributed
import Foundation
import IRT

extension IRSL {
    struct Fit: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Calibrate abilities and item parameters by distributed joint maximum likelihood.",
            discussion: """
            Run under `mpirun -n P irsl fit ...`; each rank reads only its block of model rows.
            Without mpirun it runs as one rank. Options may come from a TOML config ([fit] table);
            flags override the config. The estimator is documented in docs/estimator.md.

            Exit codes: 0 done; 1 error (every rank stops, no output is written);
            75 stopped by SIGTERM/SIGINT/SIGUSR1 after writing a checkpoint: run again with --resume.
            (mpirun itself exits 1 when it is the process that received SIGTERM/SIGINT; the checkpoint
            is written all the same — see docs/checkpoints.md.)
            """)

        @Argument(help: "Response file (docs/format.md).") var input: String?
        @Option(name: .shortAndLong, help: "Fit output file; CSV twins <out>.abilities.csv and <out>.items.csv are written beside it.") var output: String?
        @Option(help: "Item model: 1pl or 2pl (default 2pl).") var model: String?
        @Option(help: "Latent ability dimensions K (default 1), or a list such as 1,2,3,4 to fit each and keep the best.") var dims: String?
        @Option(help: "With a list of --dims: keep the K with the lowest held-out log-loss (cv, default; 5 folds) or the lowest aic or bic.") var select: String?
        @Option(help: "Item priors: eb (empirical Bayes per benchmark, default) or none (joint ML with small ridges).") var prior: String?
        @Option(help: "With a list of --dims: keep this K whatever the criterion says.") var keep: Int?
        @Option(help: "Likelihood: auto (from response_kind), beta, bernoulli or binomial.") var response: String?
        @Flag(help: "Use /items/floor as each item's fixed lower asymptote g.") var floorFromFile = false
        @Option(help: "Iteration limit (default 500).") var maxIterations: Int?
        @Option(help: "Relative log-likelihood change for convergence (default 1e-7).") var tolerance: Double?
        @Option(help: "Largest parameter change for convergence (default 1e-3).") var parameterTolerance: Double?
        @Option(help: "Checkpoint file, written at iteration boundaries (default for signals: <output>.ckpt).") var checkpoint: String?
        @Option(help: "Seconds between periodic checkpoints (0: every iteration; default 600).") var checkpointEvery: Double?
        @Flag(help: "Continue from the checkpoint (falls back to <checkpoint>.prev if the newest is damaged).") var resume = false
        @Flag(help: "Replace an existing output file.") var overwrite = false
        @Option(help: "TOML config file with a [fit] table.") var config: String?

        func run() throws {
            let comm: Communicator = MPICommunicator.launchedByMPI ? MPICommunicator() : SerialCommunicator()
            do {
                let (job, dimsList) = try makeJob()
                let print: (String) -> Void = { line in
                    Swift.print(line)
                    fflush(stdout)
                }
                let interrupted: Bool
                if dimsList.count > 1 {
                    var selection = DimensionSelection(template: job, dims: dimsList)
                    let configured = try FitConfig.load(config)?.string("select")
                    if let s = select ?? configured {
                        guard let c = DimensionSelection.Criterion(rawValue: s) else { throw FitError("--select: expected cv, aic or bic; got '\(s)'") }
                        selection.criterion = c
                    }
                    selection.keep = keep
                    interrupted = try selection.run(comm: comm, report: print) == nil
                } else {
                    interrupted = try job.run(comm: comm, report: print).summary.interrupted
                }
                if interrupted {
                    // Checkpointed on a signal. No MPI_Finalize: with a non-zero exit it hangs OpenMPI 4.1.
                    fflush(stdout)
                    terminate(CalibrationJob.ExitCode.checkpointed)
                }
            } catch {
                fflush(stdout)
                comm.abort("\(error)", code: CalibrationJob.ExitCode.failure)
            }
            fflush(stdout)
            (comm as? MPICommunicator)?.finalize()
        }

        /// Defaults, then the config file, then the flags.
        func makeJob() throws -> (CalibrationJob, [Int]) {
            let cfg = try FitConfig.load(config)
            guard let input = input ?? cfg?.string("input") else { throw FitError("missing the input file (argument or 'input' in the config)") }
            guard let output = output ?? cfg?.string("output") else { throw FitError("missing --output (or 'output' in the config)") }
            var o = FitOptions()
            if let m = model ?? cfg?.string("model") {
                guard let v = ItemModel(rawValue: m) else { throw FitError("--model: expected 1pl or 2pl; got '\(m)'") }
                o.model = v
            }
            let dimsList: [Int]
            if let text = dims {
                let parsed = text.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
                guard !parsed.isEmpty, parsed.allSatisfy({ ($0 ?? 0) >= 1 }) else {
                    throw FitError("--dims: expected K ≥ 1 or a list such as 1,2,3; got '\(text)'")
                }
                dimsList = parsed.map { $0! }
            } else {
                dimsList = cfg?.intList("dims") ?? [o.dims]
            }
            o.dims = dimsList[0]
            o.floorFromFile = floorFromFile || (cfg?.bool("floor-from-file") ?? false)
            o.maxIterations = maxIterations ?? cfg?.int("max-iterations") ?? o.maxIterations
            o.tolerance = tolerance ?? cfg?.double("tolerance") ?? o.tolerance
            o.parameterTolerance = parameterTolerance ?? cfg?.double("parameter-tolerance") ?? o.parameterTolerance
            o.thetaRidge = cfg?.double("theta-ridge") ?? o.thetaRidge
            o.itemRidge = cfg?.double("item-ridge") ?? o.itemRidge
            o.thetaBound = cfg?.double("theta-bound") ?? o.thetaBound
            o.itemBound = cfg?.double("item-bound") ?? o.itemBound
            o.maxStep = cfg?.double("max-step") ?? o.maxStep
            if let p = prior ?? cfg?.string("prior") { o.prior = try parsePrior(p) }
            try o.validate()
            var job = CalibrationJob(input: input, output: output, options: o)
            job.responseChoice = response ?? cfg?.string("response") ?? "auto"
            job.command = CommandLine.arguments.joined(separator: " ")
            job.version = IRSL.version
            job.checkpoint = checkpoint ?? cfg?.string("checkpoint")
            job.checkpointEvery = checkpointEvery ?? cfg?.double("checkpoint-every") ?? job.checkpointEvery
            guard job.checkpointEvery >= 0 else { throw FitError("--checkpoint-every: expected seconds ≥ 0, got \(job.checkpointEvery)") }
            job.resume = resume || (cfg?.bool("resume") ?? false)
            job.overwrite = overwrite || (cfg?.bool("overwrite") ?? false)
            return (job, dimsList)
        }
    }
}

/// Ends the process with `code` (ParsableCommand's own `exit` means something else).
func terminate(_ code: Int32) -> Never { exit(code) }
