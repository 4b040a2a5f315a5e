import ArgumentParser
import Calibration
import MessagePassing
import Foundation
import IRT

extension IRSL {
    struct CrossValidate: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "crossvalidate",
            abstract: "Compare item models and K by held-out prediction of hidden entries (run under mpirun like fit).",
            discussion: """
            Hides every observed entry once (fold by fold, by a hash of row, column and seed), fits each candidate on
            the rest exactly as `irsl fit` does, and scores the hidden entries: log-loss (the criterion), Brier and the
            held-out log-likelihood, each with its standard error across folds. docs/estimator.md, "Model choice".
            """)

        @Argument(help: "Response file (docs/format.md).") var input: String
        @Option(help: "Number of folds.") var folds = 5
        @Option(help: "Candidate dimensions K, e.g. 1,2,3.") var dims = "1"
        @Option(help: "Candidate item models, e.g. 1pl,2pl (1pl only with K = 1).") var model = "1pl,2pl"
        @Option(help: "Likelihood; auto (the default) follows the file's response_kind.") var response: ResponseChoice = .auto
        @Option(help: "Item priors: eb (empirical Bayes, default) or none.") var prior: PriorMode = .empiricalBayes
        @Flag(help: "Use /items/floor as each item's fixed lower asymptote g.") var floorFromFile = false
        @Option(help: "Iteration limit per fit.") var maxIterations = 500
        @Option(help: "Seed of the fold assignment.") var seed: UInt64 = 0
        @Option(name: .shortAndLong, help: "Write the table as CSV here.") var output: String?

        func run() throws {
            let comm: Communicator = MPICommunicator.launchedByMPI ? MPICommunicator() : SerialCommunicator()
            do {
                var options = FitOptions()
                options.maxIterations = maxIterations
                options.floorFromFile = floorFromFile
                options.prior = prior
                var cv = CrossValidation(input: input, options: options,
                                         candidates: try CrossValidation.candidates(models: model, dims: dims))
                cv.folds = folds
                cv.seed = seed
                cv.responseChoice = response.rawValue
                let say: (String) -> Void = { if comm.isRoot { print($0); fflush(stdout) } }
                let scores = try cv.run(comm: comm, report: say)
                CrossValidation.table(scores).forEach(say)
                if comm.isRoot, let output {
                    try CrossValidation.csv(scores).write(toFile: output, atomically: true, encoding: .utf8)
                    say("wrote \(output)")
                }
            } catch {
                fflush(stdout)
                comm.abort("\(error)", code: CalibrationJob.ExitCode.failure)
            }
            (comm as? MPICommunicator)?.finalize()
        }
    }
}
