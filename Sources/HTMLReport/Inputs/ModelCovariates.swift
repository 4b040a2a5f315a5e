import Foundation
import Store

/// Families and training compute of the fit's models, from the response
/// file the fit was made from (Store's `ModelCovariates`: `/models/family`,
/// `/models/flops`, or 6 · `/models/params` · `/models/tokens` where FLOPs
/// are unknown, the same rule as `irsl law`).
public struct ModelCovariateTable {
    /// Where they came from (for the page).
    public var source: String
    public var names: [String]
    /// nil when the file has no families.
    public var families: [String]?
    /// NaN where unknown.
    public var flops: [Double]

    public init(source: String, names: [String], families: [String]?, flops: [Double]) {
        precondition(flops.count == names.count && (families?.count ?? names.count) == names.count)
        self.source = source; self.names = names; self.families = families; self.flops = flops
    }

    /// The table of Store's `ModelCovariates` (compute by its one rule, `effectiveFlops`).
    public init(source: String, covariates: [ModelCovariates]) {
        self.init(source: source, names: covariates.map(\.name), families: covariates.contains { $0.family != nil } ? covariates.map { $0.family ?? "" } : nil,
                  flops: covariates.map(\.effectiveFlops))
    }

    /// Reads `/models/*` of a response file (docs/format.md).
    public static func read(responseFile path: String) throws -> ModelCovariateTable {
        ModelCovariateTable(source: path, covariates: try ModelCovariates.read(responseFile: path))
    }

    /// Family and FLOPs of each model named in `names` (nil / NaN when not in the table).
    public func lookup(_ names: [String]) -> [(family: String?, flops: Double)] {
        var index: [String: Int] = [:]
        for (i, n) in self.names.enumerated() where index[n] == nil { index[n] = i }
        return names.map { n in
            guard let i = index[n] else { return (nil, .nan) }
            let f = families?[i]
            return (f?.isEmpty == true ? nil : f, flops[i])
        }
    }
}
