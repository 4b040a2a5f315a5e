import Foundation
import Store

/// Families and training compute of the fit's models, from the response
/// file the fit was made from (`/models/family`, `/models/flops`, or
/// 6 · `/models/params` · `/models/tokens` where FLOPs are unknown, the
/// same rule as `irsl law`).
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

    /// Reads `/models/*` of a response file (docs/format.md).
    public static func read(responseFile path: String) throws -> ModelCovariateTable {
        let info = try ResponseFileInfo.read(path)
        let flops: [Double] = (0..<info.models).map { m in
            if let f = info.flops?[m], f > 0, f.isFinite { return f }
            if let p = info.params?[m], let t = info.tokens?[m], p > 0, t > 0, p.isFinite, t.isFinite { return 6 * p * t }
            return .nan
        }
        return ModelCovariateTable(source: path, names: info.modelNames, families: info.families, flops: flops)
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
