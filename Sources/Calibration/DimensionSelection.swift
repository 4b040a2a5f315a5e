import MessagePassing
import Foundation
import Store

/// `irsl fit --dims 1,2,3,4`: by default (`--select cv`) cross-validates
/// every K (`CrossValidation`, held-out log-loss), prints the table and fits
/// the winner on all entries as `<out>`. With `--select aic|bic` it fits
/// every K in turn (each a complete, checkpointable job with its own output
/// `<out>.K<k>.h5`), prints the comparison table, and keeps the best by AIC
/// or BIC (or the K named) as `<out>`.
public struct DimensionSelection {
    public enum Criterion: String, CaseIterable { case cv, aic, bic }

    public var template: CalibrationJob
    public var dims: [Int]
    public var criterion: Criterion = .cv
    /// Folds for `.cv`.
    public var folds = 5
    /// Keep this K whatever the criterion says.
    public var keep: Int?

    public init(template: CalibrationJob, dims: [Int]) {
        self.template = template; self.dims = dims
    }

    /// `fit.h5` → `fit.K2.h5`.
    public static func path(_ output: String, dims k: Int) -> String {
        let ext = (output as NSString).pathExtension
        let stem = ext.isEmpty ? output : String(output.dropLast(ext.count + 1))
        return ext.isEmpty ? "\(stem).K\(k)" : "\(stem).K\(k).\(ext)"
    }

    public struct Row {
        public var dims: Int
        public var attributes: FitAttributes
    }

    /// Runs the fits; returns nil when a signal interrupted one (it has checkpointed).
    public func run(comm: Communicator, report: @escaping (String) -> Void) throws -> (rows: [Row], chosen: Int)? {
        if let keep, !dims.contains(keep) {
            throw FitError("--keep \(keep): not among --dims \(dims.map(String.init).joined(separator: ","))")
        }
        let say: (String) -> Void = { if comm.isRoot { report($0) } }
        if criterion == .cv { return try crossValidated(comm: comm, report: report) }
        var rows: [Row] = []
        for k in dims {
            var job = template
            job.options.dims = k
            job.output = Self.path(template.output, dims: k)
            job.checkpoint = Self.path(template.checkpointPath, dims: k)
            say("== K = \(k) → \(job.output)")
            let outcome = try job.run(comm: comm, report: report)
            guard let result = outcome.result else { return nil }
            rows.append(Row(dims: k, attributes: result.attributes))
        }
        let score: (Row) -> Double = { criterion == .aic ? $0.attributes.aic : $0.attributes.bic }
        let chosen = keep ?? rows.min { score($0) < score($1) }!.dims
        say("  K        loglik   parameters            AIC            BIC  converged")
        for r in rows {
            let a = r.attributes
            say(String(format: "%3d %13.6e %12d %14.6e %14.6e  %@%@", r.dims, a.loglik, a.nParameters, a.aic, a.bic,
                       a.converged ? "yes" : "no", r.dims == chosen ? "   ← kept" : ""))
        }
        if comm.isRoot {
            let source = Self.path(template.output, dims: chosen)
            try writeOutputs { outputs in
                for suffix in ["", ".abilities.csv", ".items.csv"] {
                    try outputs.data(template.output + suffix, try Data(contentsOf: URL(fileURLWithPath: source + suffix)))
                }
            }
            say("kept K = \(chosen) (\(keep != nil ? "as asked" : "lowest \(criterion.rawValue.uppercased())")): \(template.output)")
        }
        comm.barrier()
        return (rows, chosen)
    }

    /// `--select cv`: the held-out comparison, then one fit of the winner on every entry.
    func crossValidated(comm: Communicator, report: @escaping (String) -> Void) throws -> (rows: [Row], chosen: Int)? {
        let say: (String) -> Void = { if comm.isRoot { report($0) } }
        var chosen = keep
        if chosen == nil {
            var cv = CrossValidation(input: template.input, options: template.options,
                                     candidates: dims.map { CrossValidation.Candidate(model: template.options.model, dims: $0) })
            cv.responseChoice = template.responseChoice
            cv.folds = folds
            let scores = try cv.run(comm: comm, report: report)
            CrossValidation.table(scores).forEach(say)
            chosen = CrossValidation.best(scores).candidate.dims
            say("kept K = \(chosen!) (lowest held-out log-loss over \(folds) folds); fitting it on every entry")
        }
        var job = template
        job.options.dims = chosen!
        let outcome = try job.run(comm: comm, report: report)
        guard let result = outcome.result else { return nil }
        return ([Row(dims: chosen!, attributes: result.attributes)], chosen!)
    }
}
