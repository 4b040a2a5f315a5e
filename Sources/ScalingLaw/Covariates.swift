import Foundation
import Store

/// Which covariates a law regresses the abilities on.
///
/// - `flops`: x = standardised log10 training compute (one covariate), the
///   simulator's law and the classic compute scaling law.
/// - `paramsTokens`: the translog form of Sloth: standardised log10 params u,
///   standardised log10 tokens v, and their product u·v. With the
///   intercept this spans the same functions as Sloth's raw
///   [log P, log T, log P·log T]; standardising first keeps the design
///   well conditioned.
public enum CovariateSet: String, CaseIterable, Sendable {
    case flops
    case paramsTokens = "params-tokens"

    /// Raw covariates per model (before the product term): log10 C, or log10 P and log10 T.
    public var rawCount: Int { self == .flops ? 1 : 2 }
    /// Columns of the design, intercept included.
    public var designCount: Int { self == .flops ? 2 : 4 }
}

/// The law's view of a model's covariates (`ModelCovariates` is Store's).
extension ModelCovariates {
    /// The raw (log10) covariates of `set`, or nil when one is missing or not positive.
    public func raw(_ set: CovariateSet) -> [Double]? {
        switch set {
        case .flops:
            let c = effectiveFlops
            return c > 0 && c.isFinite ? [log10(c)] : nil
        case .paramsTokens:
            guard params > 0, tokens > 0, params.isFinite, tokens.isFinite else { return nil }
            return [log10(params), log10(tokens)]
        }
    }

    /// The family the law uses: models without one form their own one-model
    /// family, named after the model in angle brackets.
    public var lawFamily: String {
        if let f = family, !f.isEmpty { return f }
        return "<\(name)>"
    }
}

/// Reading covariates from a response file or a CSV.
public enum CovariateSource {
    /// `/models/*` of a response file (Store's reader).
    public static func responseFile(_ path: String) throws -> [ModelCovariates] {
        try ModelCovariates.read(responseFile: path)
    }

    /// A covariates CSV (Store's reader): `name,family,params,tokens,flops`.
    public static func csv(_ path: String) throws -> [ModelCovariates] {
        try ModelCovariates.read(csv: path)
    }
}

/// Standardisation of the raw covariates and the design row of the law.
///
/// The centre and scale (mean and sample standard deviation over the models
/// the law was fitted on) are stored in the law file, so a forecast applies
/// exactly the transform the coefficients were fitted with.
public struct CovariateTransform: Sendable, Equatable {
    public let kind: CovariateSet
    /// Mean of each raw covariate (log10 C; or log10 P, log10 T).
    public let center: [Double]
    /// Sample standard deviation of each raw covariate.
    public let scale: [Double]

    public init(set: CovariateSet, center: [Double], scale: [Double]) {
        precondition(center.count == set.rawCount && scale.count == set.rawCount)
        self.kind = set; self.center = center; self.scale = scale
    }

    /// Centre and scale estimated from `raw` rows.
    public init(set: CovariateSet, fittedTo raw: [[Double]]) throws {
        let n = Double(raw.count)
        var center: [Double] = [], scale: [Double] = []
        for c in 0..<set.rawCount {
            let v = raw.map { $0[c] }
            let m = v.reduce(0, +) / n
            let s = (v.map { ($0 - m) * ($0 - m) }.reduce(0, +) / max(n - 1, 1)).squareRoot()
            guard s > 0, s.isFinite else {
                throw LawError("every model has the same \(set == .flops ? "FLOPs" : c == 0 ? "parameter count" : "token count"); a law needs covariates that vary")
            }
            center.append(m); scale.append(s)
        }
        self.init(set: set, center: center, scale: scale)
    }

    /// Names of the design columns.
    public var termNames: [String] {
        kind == .flops ? ["intercept", "log10_flops"]
            : ["intercept", "log10_params", "log10_tokens", "log10_params_x_log10_tokens"]
    }

    /// The standardised covariates z of raw values.
    public func standardised(_ raw: [Double]) -> [Double] {
        (0..<kind.rawCount).map { (raw[$0] - center[$0]) / scale[$0] }
    }

    /// The design row: [1, z] or [1, u, v, u·v].
    public func design(_ raw: [Double]) -> [Double] {
        let z = standardised(raw)
        return kind == .flops ? [1, z[0]] : [1, z[0], z[1], z[0] * z[1]]
    }
}
