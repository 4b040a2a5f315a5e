import Distributed
import Foundation
import Store

/// `irsl fit --dims 1,2,3,4`: fits every K in turn (each a complete,
/// checkpointable job with its own output `<out>.K<k>.h5`), prints the
/// comparison table, and keeps the best by AIC (or BIC, or the K named) as
/// `<out>`, as in the latent-skill scaling-law work that picks K this way.
public struct DimensionSelection {
    public enum Criterion: String, CaseIterable { case aic, bic }

    public var template: CalibrationJob
    public var dims: [Int]
    public var criterion: Criterion = .aic
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
}
