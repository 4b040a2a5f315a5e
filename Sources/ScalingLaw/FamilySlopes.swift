import Foundation

/// How much the families' own slopes on compute differ: the variance a
/// forecast adds for extrapolating a family along its own line.
///
/// Why: the law gives every family one common slope and its own intercept.
/// Families do scale differently, and a forecast for a family's model far
/// from its training models (the largest model of a family, forecast from
/// its small ones) inherits that difference as an error growing with the
/// distance. With random slopes b_f ~ N(0, τ²) on the first covariate x₁
/// (standardised log FLOPs, or log parameters for the translog law), a
/// model at x₁ in family f gains the variance τ²(x₁ − x̄₁,f)², x̄₁,f the
/// mean of the family's training models (0, the population's centre, for a
/// family never seen).
///
/// τ² is the method-of-moments estimate over families with at least 3
/// models spread over at least 0.3 sd: the mean over those families of
/// ŝ_f² − σ_e²/S_xx,f, where ŝ_f is the slope of the family's conditional
/// residuals on x₁ and σ_e²/S_xx,f its sampling variance (0 when negative).
/// The point forecasts do not change; only the intervals widen with the
/// distance from the family's data.
public struct FamilySlopes: Sendable {
    /// τ² per ability dimension [K].
    public var variance: [Double]
    /// x̄₁ of each law family's models, in the order of `AbilityLaw.families`.
    public var center: [Double]

    /// From a fitted law's models, families and dimensions (the conditional
    /// residuals are recomputed, so a law read back from its file gets the same values).
    public init(law: AbilityLaw) {
        let k = law.dims, r = law.transform.kind.rawCount, n = law.modelNames.count
        let designs = (0..<n).map { law.transform.design(Array(law.modelRaw[($0 * r)..<(($0 + 1) * r)])) }
        let x1 = designs.map { $0[1] }
        let group = law.modelFamilies.map { law.familyIndex($0) }
        var sums = [Double](repeating: 0, count: law.families.count), counts = sums
        for i in 0..<n { if let g = group[i] { sums[g] += x1[i]; counts[g] += 1 } }
        let center = zip(sums, counts).map { $1 > 0 ? $0 / $1 : 0 }
        self.center = center
        variance = (0..<k).map { d in
            let m = law.dimensions[d]
            var members = [[Int]](repeating: [], count: law.families.count)
            for i in 0..<n { if let g = group[i] { members[g].append(i) } }
            var total = 0.0, used = 0
            for (g, rows) in members.enumerated() where rows.count >= 3 {
                var sxx = 0.0, sxr = 0.0
                let residual = rows.map { i -> Double in
                    let x = designs[i]
                    var f = law.mode == .none ? 0 : m.groupEffects[g]
                    for c in 0..<m.p { f += x[c] * m.coefficients[c] }
                    return law.modelTheta[i * k + d] - f
                }
                let rMean = residual.reduce(0, +) / Double(rows.count)
                for (i, row) in rows.enumerated() {
                    let dx = x1[row] - center[g]
                    sxx += dx * dx; sxr += dx * (residual[i] - rMean)
                }
                guard sxx / Double(rows.count) >= 0.09 else { continue }
                let slope = sxr / sxx
                total += slope * slope - m.residualVariance / sxx
                used += 1
            }
            return used > 0 ? max(total / Double(used), 0) : 0
        }
    }

    /// The slope variance at x₁ for family index `family` (nil: never seen), dimension d.
    public func variance(dimension d: Int, x1: Double, family: Int?) -> Double {
        let c = family.map { center[$0] } ?? 0
        return variance[d] * (x1 - c) * (x1 - c)
    }
}
