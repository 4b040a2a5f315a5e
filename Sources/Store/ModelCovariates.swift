import Foundation

/// What is known about one model outside its responses: its family and
/// training scale. Read from a response file's `/models/*` or from a
/// covariates CSV; the law (`irsl law`), backtests and the report all use
/// these readers and the one compute rule, `effectiveFlops`.
public struct ModelCovariates: Sendable, Equatable {
    public var name: String
    /// nil when unknown.
    public var family: String?
    /// Parameters, training tokens and training FLOPs, NaN when unknown, in
    /// any consistent units (the law uses their logs, standardised, so only
    /// `irsl optimal`'s C ≈ 6·P·T cares: raw counts, or billions, trillions
    /// and 1e21 FLOPs, both satisfy it).
    public var params: Double
    public var tokens: Double
    public var flops: Double

    public init(name: String, family: String?, params: Double = .nan, tokens: Double = .nan, flops: Double = .nan) {
        self.name = name; self.family = family; self.params = params; self.tokens = tokens; self.flops = flops
    }

    /// Training compute: the FLOPs when known and positive, else 6·P·T when
    /// parameters and tokens are, else NaN.
    public var effectiveFlops: Double {
        if flops > 0 && flops.isFinite { return flops }
        if params > 0 && tokens > 0 && params.isFinite && tokens.isFinite { return 6 * params * tokens }
        return .nan
    }

    /// `/models/name`, `/models/family`, `/models/params`, `/models/tokens`,
    /// `/models/flops` of a response file (docs/format.md), one per model row.
    public static func read(responseFile path: String) throws -> [ModelCovariates] {
        try from(ResponseFileInfo.read(path))
    }

    /// The covariates of an already-read response file.
    public static func from(_ info: ResponseFileInfo) -> [ModelCovariates] {
        (0..<info.models).map { m in
            ModelCovariates(name: info.modelNames[m], family: info.families?[m],
                            params: info.params?[m] ?? .nan, tokens: info.tokens?[m] ?? .nan,
                            flops: info.flops?[m] ?? .nan)
        }
    }

    /// A CSV with a header `name,family,params,tokens,flops` (`model` is
    /// accepted for `name`; `family`, `params`, `tokens`, `flops` are each
    /// optional but one of `flops` or `params` must be there; missing cells
    /// follow `CSVTable`'s rules).
    public static func read(csv path: String) throws -> [ModelCovariates] {
        let t = try CSVTable(path: path)
        let name = try t.requiredColumn("name", "model")
        let family = t.columnIndex("family")
        let params = t.columnIndex("params"), tokens = t.columnIndex("tokens"), flops = t.columnIndex("flops")
        guard params != nil || flops != nil else {
            throw StoreError(file: path, field: "header", message: "expected a 'flops' column or 'params' and 'tokens' columns, found \(t.header.joined(separator: ","))")
        }
        return try t.rows.indices.map { r in
            let n = t.text(r, name)
            guard !n.isEmpty else { throw t.error(r, name, "empty model name") }
            let f = family.map { t.text(r, $0) }
            return ModelCovariates(
                name: n, family: f?.isEmpty == true ? nil : f,
                params: try params.map { try t.number(r, $0) } ?? .nan,
                tokens: try tokens.map { try t.number(r, $0) } ?? .nan,
                flops: try flops.map { try t.number(r, $0) } ?? .nan)
        }
    }
}
