import ArgumentParser
import Calibration
import MessagePassing
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
        @OptionGroup(title: "Calibration") var calibration: CalibrationOptions
        @Flag(help: "Use /items/floor as each item's fixed lower asymptote g.") var floorFromFile = false
        @Option(help: "With a list of --dims: keep the K with the lowest held-out log-loss (cv, the default: 5 folds, docs/estimator.md) or the lowest aic or bic.") var select: DimensionSelection.Criterion?
        @Option(help: "With a list of --dims: keep this K whatever the criterion says.") var keep: Int?
        @Option(help: "Checkpoint file, written at iteration boundaries (default for signals: <output>.ckpt).") var checkpoint: String?
        @Option(help: "Seconds between periodic checkpoints (0: every iteration; default 600).") var checkpointEvery: Double?
        @Flag(help: "Continue from the checkpoint (falls back to <checkpoint>.prev if the newest is damaged).") var resume = false
        @Flag(help: "Replace an existing output file.") var overwrite = false
        @Option(help: "TOML config file with a [fit] table of these options (flags override it).") var config: String?

        func run() throws {
            let comm: Communicator = MPICommunicator.launchedByMPI ? MPICommunicator() : SerialCommunicator()
            do {
                let (job, dimsList, settings) = try makeJob()
                let print: (String) -> Void = { line in
                    Swift.print(line)
                    fflush(stdout)
                }
                let interrupted: Bool
                if dimsList.count > 1 {
                    var selection = DimensionSelection(template: job, dims: dimsList)
                    if let criterion = settings.select { selection.criterion = criterion }
                    selection.keep = settings.keep
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

        /// Defaults, then the config file, then the flags: the config's options
        /// are parsed first and the command line's after them, so flags win.
        func makeJob() throws -> (CalibrationJob, [Int], Fit) {
            var settings = self
            var configInput: String?
            if let cfg = try FitConfig.load(config) {
                let given = Array(CommandLine.arguments.dropFirst(2))   // after `irsl fit`
                settings = try Self.parse(cfg.arguments + given)
                configInput = cfg.input
            }
            guard let input = settings.input ?? configInput else { throw FitError("missing the input file (argument or 'input' in the config)") }
            guard let output = settings.output else { throw FitError("missing --output (or 'output' in the config)") }
            var o = settings.calibration.apply(to: FitOptions())
            o.floorFromFile = settings.floorFromFile
            try o.validate()
            var job = CalibrationJob(input: input, output: output, options: o)
            job.responseChoice = (settings.calibration.response ?? .auto).rawValue
            job.command = CommandLine.arguments.joined(separator: " ")
            job.version = IRSL.version
            job.checkpoint = settings.checkpoint
            job.checkpointEvery = settings.checkpointEvery ?? job.checkpointEvery
            guard job.checkpointEvery >= 0 else { throw FitError("--checkpoint-every: expected seconds ≥ 0, got \(job.checkpointEvery)") }
            job.resume = settings.resume
            job.overwrite = settings.overwrite
            return (job, settings.calibration.dims?.values ?? [o.dims], settings)
        }
    }
}

/// Ends the process with `code` (ParsableCommand's own `exit` means something else).
func terminate(_ code: Int32) -> Never { exit(code) }
