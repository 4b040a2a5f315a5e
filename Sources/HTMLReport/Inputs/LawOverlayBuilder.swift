import Foundation
import IRT
import ScalingLaw
import Store

/// Evaluates a scaling law for the ability chart: the population line with
/// the prediction band of a new family, each family's line over its own
/// compute range, and the forecast models placed by the law.
public enum LawOverlayBuilder {
    public static func build(law: AbilityLaw, path: String, level: Double, fit: FitResult,
                      covariates: [ModelCovariates], forecasts: ForecastTable?) -> LawOverlay {
        let z = IRT.normalQuantile(0.5 + level / 2)
        func point(_ raw: [Double], _ family: String?) -> LawOverlay.CurvePoint {
            let p = law.predict(raw: raw, family: family)
            let sd = p.totalVariance[0].squareRoot()
            return .init(flops: pow(10, raw[0]), mean: p.mean[0], lower: p.mean[0] - z * sd, upper: p.mean[0] + z * sd)
        }

        // Forecast models: covariates from the response file, else from the law's own models.
        var byName: [String: ModelCovariates] = [:]
        for c in covariates where byName[c.name] == nil { byName[c.name] = c }
        let set = law.transform.kind, r = set.rawCount
        for (i, name) in law.modelNames.enumerated() where byName[name] == nil {
            let raw = Array(law.modelRaw[(i * r)..<((i + 1) * r)])
            byName[name] = set == .flops
                ? ModelCovariates(name: name, family: law.modelFamilies[i], flops: pow(10, raw[0]))
                : ModelCovariates(name: name, family: law.modelFamilies[i], params: pow(10, raw[0]), tokens: pow(10, raw[1]))
        }
        var thetaOf: [String: Double] = [:]
        for (m, name) in fit.modelNames.enumerated() where thetaOf[name] == nil { thetaOf[name] = fit.theta[m * fit.dims] }
        var placed: [LawOverlay.ModelPrediction] = []
        var seen = Set<String>()
        for row in forecasts?.rows ?? [] where seen.insert(row.model).inserted {
            let c = byName[row.model]
            let family = row.family ?? c?.family
            guard let c, let raw = c.raw(set) else {
                placed.append(.init(name: row.model, family: family, flops: .nan, mean: .nan, lower: .nan, upper: .nan))
                continue
            }
            let p = law.predict(raw: raw, family: family)
            let sd = p.totalVariance[0].squareRoot()
            placed.append(.init(name: row.model, family: family, flops: c.effectiveFlops, mean: p.mean[0],
                                lower: p.mean[0] - z * sd, upper: p.mean[0] + z * sd, fitted: thetaOf[row.model] ?? .nan))
        }

        var curve: [LawOverlay.CurvePoint] = [], familyCurves: [(family: String, points: [LawOverlay.CurvePoint])] = []
        if set == .flops {
            let x = (0..<law.modelNames.count).map { law.modelRaw[$0] }
            let extra = placed.map { log10($0.flops) }.filter(\.isFinite)
            if let lo = (x + extra).min(), let hi = (x + extra).max() {
                curve = (0...60).map { point([lo + (hi - lo) * Double($0) / 60], nil) }
            }
            for family in law.families where !family.hasPrefix("<") {
                let xs = law.modelFamilies.indices.filter { law.modelFamilies[$0] == family }.map { x[$0] }
                guard let a = xs.min(), let b = xs.max(), b > a else { continue }
                familyCurves.append((family, [point([a], family), point([b], family)]))
            }
        }
        return LawOverlay(source: path, summary: law.summaryLines(), covariates: set.rawValue, level: level,
                          curve: curve, familyCurves: familyCurves, forecasts: placed)
    }
}
