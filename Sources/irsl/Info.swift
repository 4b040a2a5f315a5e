import ArgumentParser
import Foundation
import Store

extension IRSL {
    struct Info: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Describe any irsl file: shape, kinds, missing fraction, counts.")

        @Argument(help: "A response file or a fit output file.") var file: String
        @Flag(help: "Read every byte of structure and data and say OK or what is damaged (checksums of files irsl wrote).")
        var verify = false

        func run() throws {
            if verify { return try verifyFile(file) }
            let h5 = try H5File(file, mode: .readOnly)
            defer { h5.close() }
            if h5.exists("/responses") {
                h5.close()
                let info = try ResponseFileInfo.read(file)
                let missing = try missingFraction(file, info: info)
                print("\(file): response file")
                print("  shape            \(info.models) models × \(info.items) items")
                print("  response_kind    \(info.kind.rawValue)\(info.hasTrials ? " (with /trials)" : "")")
                print(String(format: "  missing          %.2f%%", 100 * missing))
                print("  benchmarks       \(Set(info.benchmarks).count)")
                print("  families         \(info.families.map { String(Set($0).count) } ?? "none")")
                print("  covariates       " + [("params", info.params), ("tokens", info.tokens), ("flops", info.flops)]
                    .compactMap { $0.1 == nil ? nil : $0.0 }.joined(separator: ", "))
                print("  floors           \(info.floor == nil ? "none" : "yes")")
                let again = try H5File(file, mode: .readOnly)
                defer { again.close() }
                print("  truth            \(again.exists("/truth") ? "yes (simulated)" : "no")")
            } else if h5.exists("/items/a") {
                h5.close()
                let fit = try FitResult.read(file)
                let at = fit.attributes
                print("\(file): fit output")
                print("  shape            \(fit.modelNames.count) models × \(fit.itemIDs.count) items, K = \(fit.dims)")
                print("  model            \(at.model), \(at.response) responses, \(fit.benchmarkNames.count) benchmarks")
                print("  loglik           \(at.loglik)  (AIC \(at.aic), BIC \(at.bic), \(at.nParameters) parameters)")
                print("  iterations       \(at.iterations), converged: \(at.converged), \(at.ranks) rank(s), \(String(format: "%.1f", at.seconds)) s")
                print("  observations     \(at.nObservations) (\(at.clampedEntries) clamped)")
            } else {
                throw StoreError(file: file, field: "/", message: "neither a response file (/responses) nor a fit output (/items/a)")
            }
        }

        /// Counts NaN entries block by block, so huge files stay cheap in memory.
        private func missingFraction(_ path: String, info: ResponseFileInfo) throws -> Double {
            let reader = try ResponseRows(path: path, info: info)
            defer { reader.close() }
            var missing = 0
            try reader.forEachBlock { _, y, _ in for v in y where v.isNaN { missing += 1 } }
            return Double(missing) / Double(info.models * info.items)
        }
    }
}
