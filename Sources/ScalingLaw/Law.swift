import Foundation
import Store

/// The predicted ability of one model under a law: per dimension, the mean
/// and the three variance components a forecast must carry.
public struct AbilityPrediction: Sendable {
    /// Bᵀx + α̂_family, [K].
    public var mean: [Double]
    /// Variance of the estimation error of that mean: coefficients and (for
    /// a family the law has seen) the family effect, jointly, [K].
    public var estimationVariance: [Double]
    /// σ_a² for a family the law has never seen, else 0, [K].
    public var familyVariance: [Double]
    /// σ_e²: the model's own scatter around its family's line, [K].
    public var residualVariance: [Double]
    /// Whether the family was among the law's training families.
    public var familySeen: Bool

    /// Total predictive variance per dimension.
    public var totalVariance: [Double] {
        (0..<mean.count).map { estimationVariance[$0] + familyVariance[$0] + residualVariance[$0] }
    }
}

/// A scaling law on calibrated abilities: for every dimension k,
/// θ_mk = B_kᵀ x_m + α_family(m),k + e_mk, each dimension a
/// `LinearMixedModel` on the same design and families.
///
/// The dimensions are fitted separately; what couples them in a forecast is
/// estimated afterwards: the correlation of the conditional residuals
/// across dimensions (used for the residual and, as an approximation, for
/// the estimation errors) and the correlation of the family effects (used
/// for a family never seen). JML abilities are identified only up to the
/// standardisation of the fit (mean 0, sd 1 per dimension over the fitted
/// models), so a law belongs to one fit: the file records the fit's
/// log-likelihood and model count and `Forecaster` refuses another fit.
public struct AbilityLaw: Sendable {
    public var transform: CovariateTransform
    public var mode: FamilyEffects
    public var dims: Int
    /// Families seen when fitting, in first-appearance order (the groups of every dimension).
    public var families: [String]
    /// One fitted model per dimension.
    public var dimensions: [LinearMixedModel]
    /// Correlation of the conditional residuals across dimensions, [K × K].
    public var residualCorrelation: [Double]
    /// Correlation of the family effects across dimensions, [K × K].
    public var familyCorrelation: [Double]
    /// The models the law was fitted on, their law families, raw covariates
    /// [n × rawCount] and abilities [n × K].
    public var modelNames: [String]
    public var modelFamilies: [String]
    public var modelRaw: [Double]
    public var modelTheta: [Double]
    /// Models of the fit left out for lack of covariates.
    public var skipped: Int
    /// The fit the abilities came from: its path as given, log-likelihood and number of models.
    public var fitPath: String
    public var fitLogLikelihood: Double
    public var fitModels: Int
    /// Quasi-likelihood dispersion per benchmark of the fit (Bernoulli or
    /// binomial fits of proportions; `DispersionAccumulator`), nil when not
    /// estimated: forecasts then use the likelihood's own variance.
    public var dispersion: [Double]? = nil
    /// The fit's benchmarks, in the order of `dispersion`.
    public var dispersionBenchmarks: [String] = []
    /// The reporting resolution of each benchmark's scores (`ScoreResolution`), nil when not known.
    public var resolution: [Double]? = nil
    /// The fit's benchmarks, in the order of `resolution`.
    public var resolutionBenchmarks: [String] = []
    /// Family × benchmark offsets of the linear predictor (`BenchmarkOffsets`);
    /// nil: the abilities alone carry the families.
    public var offsets: BenchmarkOffsets? = nil
    /// The spread of the families' own slopes (`FamilySlopes`); nil: not estimated.
    public var familySlopes: FamilySlopes? = nil

    /// Index of `family` among the seen families, or nil.
    public func familyIndex(_ family: String?) -> Int? {
        guard let family else { return nil }
        return families.firstIndex(of: family)
    }

    // MARK: - Fitting

    /// Fits the law to the abilities of a fit.
    /// - Parameters:
    ///   - theta: [models × dims] row-major, in the order of `modelNames`.
    ///   - covariates: what is known of the models, matched by name; models
    ///     of the fit without a match or without the needed covariates are
    ///     skipped and counted.
    public static func fit(theta: [Double], dims: Int, modelNames: [String], covariates: [ModelCovariates],
                           set: CovariateSet, mode: FamilyEffects, fitPath: String = "",
                           fitLogLikelihood: Double = .nan) throws -> AbilityLaw {
        precondition(theta.count == modelNames.count * dims)
        var byName: [String: ModelCovariates] = [:]
        for c in covariates where byName[c.name] == nil { byName[c.name] = c }
        var rows: [Int] = [], raw: [[Double]] = [], fams: [String] = []
        for (m, name) in modelNames.enumerated() {
            guard let c = byName[name], let r = c.raw(set), (0..<dims).allSatisfy({ theta[m * dims + $0].isFinite }) else { continue }
            rows.append(m); raw.append(r); fams.append(c.lawFamily)
        }
        let skipped = modelNames.count - rows.count
        guard rows.count > set.designCount else {
            throw LawError("only \(rows.count) of \(modelNames.count) models have \(set == .flops ? "FLOPs (or params and tokens)" : "params and tokens"); a law with \(set.designCount) coefficients needs more")
        }
        let transform = try CovariateTransform(set: set, fittedTo: raw)
        var families: [String] = [], index: [String: Int] = [:]
        let group = fams.map { f -> Int in
            if let i = index[f] { return i }
            index[f] = families.count; families.append(f); return families.count - 1
        }
        let p = set.designCount, n = rows.count
        var x = [Double](repeating: 0, count: n * p)
        for i in 0..<n { let d = transform.design(raw[i]); for c in 0..<p { x[i * p + c] = d[c] } }
        var models: [LinearMixedModel] = []
        for k in 0..<dims {
            let y = rows.map { theta[$0 * dims + k] }
            models.append(try LinearMixedModel.fit(y: y, x: x, columns: p, group: group, groups: families.count, mode: mode))
        }
        let residualCorr = correlation(models.map(\.residuals), dims)
        let familyCorr = mode == .none ? identity(dims) : correlation(models.map(\.groupEffects), dims)
        var law = AbilityLaw(transform: transform, mode: mode, dims: dims, families: families, dimensions: models,
                          residualCorrelation: residualCorr, familyCorrelation: familyCorr,
                          modelNames: rows.map { modelNames[$0] }, modelFamilies: fams,
                          modelRaw: raw.flatMap { $0 }, modelTheta: rows.flatMap { m in (0..<dims).map { theta[m * dims + $0] } },
                          skipped: skipped, fitPath: fitPath, fitLogLikelihood: fitLogLikelihood, fitModels: modelNames.count)
        law.familySlopes = FamilySlopes(law: law)
        return law
    }

    /// Pearson correlations between K series; identity where a series is constant or too short.
    static func correlation(_ series: [[Double]], _ k: Int) -> [Double] {
        var out = identity(k)
        guard let n = series.first?.count, n >= 3 else { return out }
        let means = series.map { $0.reduce(0, +) / Double(n) }
        for a in 0..<k {
            for b in 0..<a {
                var sab = 0.0, saa = 0.0, sbb = 0.0
                for i in 0..<n {
                    let da = series[a][i] - means[a], db = series[b][i] - means[b]
                    sab += da * db; saa += da * da; sbb += db * db
                }
                let r = saa > 0 && sbb > 0 ? sab / (saa * sbb).squareRoot() : 0
                out[a * k + b] = r; out[b * k + a] = r
            }
        }
        return out
    }

    static func identity(_ k: Int) -> [Double] {
        var out = [Double](repeating: 0, count: k * k)
        for i in 0..<k { out[i * k + i] = 1 }
        return out
    }

    // MARK: - Prediction

    /// The predicted ability of a model with raw covariates `raw` (log10
    /// values, as `ModelCovariates.raw`) in `family` (nil or unseen: a new family).
    public func predict(raw: [Double], family: String?) -> AbilityPrediction {
        let x = transform.design(raw)
        let g = familyIndex(family)
        var out = AbilityPrediction(mean: [], estimationVariance: [], familyVariance: [], residualVariance: [], familySeen: g != nil)
        for (d, m) in dimensions.enumerated() {
            let p = m.prediction(x: x, group: mode == .none ? nil : g)
            let slope = familySlopes?.variance(dimension: d, x1: x[1], family: g) ?? 0
            out.mean.append(p.mean)
            out.estimationVariance.append(p.estimationVariance)
            out.familyVariance.append((mode == .none ? 0 : p.groupVariance) + slope)
            out.residualVariance.append(m.residualVariance)
        }
        return out
    }

    // MARK: - Words

    /// The law in words, one line per dimension, e.g. "dimension 1: ability
    /// rises 0.42 per doubling of compute (…); family spread sd 0.31; residual sd 0.20".
    public func summaryLines() -> [String] {
        var lines: [String] = []
        let doubling = log10(2.0)
        for (k, m) in dimensions.enumerated() {
            var s = dims == 1 ? "ability" : "dimension \(k + 1):"
            s += dims == 1 ? " " : " ability "
            let b = m.coefficients
            switch transform.kind {
            case .flops:
                let perDoubling = b[1] * doubling / transform.scale[0]
                let se = m.coefficientSE(1) * doubling / transform.scale[0]
                s += String(format: "%@ %.3f (± %.3f) per doubling of compute", perDoubling >= 0 ? "rises" : "falls", abs(perDoubling), se)
            case .paramsTokens:
                // Partial effects at the average model (u = v = 0): the product term vanishes there.
                let perP = b[1] * doubling / transform.scale[0]
                let perT = b[2] * doubling / transform.scale[1]
                s += String(format: "changes by %+.3f per doubling of parameters and %+.3f per doubling of tokens at the average model (interaction %+.3f per sd²)", perP, perT, b[3])
            }
            if mode != .none {
                s += String(format: "; family spread sd %.3f", m.groupVariance.squareRoot())
            }
            s += String(format: "; residual sd %.3f", m.residualVariance.squareRoot())
            lines.append(s)
        }
        lines.append("fitted on \(modelNames.count) models in \(families.count) families (\(mode.rawValue) family effects)"
                     + (skipped > 0 ? "; \(skipped) model(s) skipped for lack of covariates" : ""))
        return lines
    }
}
