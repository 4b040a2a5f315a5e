import Foundation

/// The best split of a compute budget under a translog law.
public struct ComputeOptimum: Sendable {
    /// What was maximised: "dimension k" or a benchmark name.
    public var target: String
    public var params: Double
    public var tokens: Double
    /// The predicted ability (or benchmark score) at the optimum.
    public var value: Double
    /// False when the optimum sits on the edge of the searched range (the
    /// law keeps improving beyond what its training models cover).
    public var interior: Bool
}

/// Compute-optimal allocation: with C ≈ 6·P·T, log10 P + log10 T =
/// log10(C/6) = L, so a budget is one line in the (log P, log T) plane and
/// the translog law θ = β0 + β1 u + β2 v + β3 u v is a quadratic along it
/// (curvature −2β3/(s_P s_T) in log10 P): an interior maximum exists when
/// β3 > 0. The search covers the line inside the training models' ranges
/// of log10 P and log10 T widened by `margin` decades, on a fine grid
/// refined by golden sections, which serves a benchmark's score (not a
/// quadratic) as well.
public enum ComputeOptimal {
    /// Searches log10 P over the allowed part of the budget line and
    /// maximises `objective` of the predicted ability [K].
    public static func solve(law: AbilityLaw, flops: Double, family: String?, margin: Double = 1,
                             target: String, objective: ([Double]) -> Double) throws -> ComputeOptimum {
        guard law.transform.kind == .paramsTokens else {
            throw LawError("irsl optimal needs a translog law (irsl law --covariates params-tokens); this law uses \(law.transform.kind.rawValue) only")
        }
        guard flops > 0, flops.isFinite else { throw LawError("--flops: expected a positive compute budget, got \(flops)") }
        let n = law.modelNames.count
        let logP = (0..<n).map { law.modelRaw[$0 * 2] }, logT = (0..<n).map { law.modelRaw[$0 * 2 + 1] }
        let budget = log10(flops / 6)
        let lo = max(logP.min()! - margin, budget - (logT.max()! + margin))
        let hi = min(logP.max()! + margin, budget - (logT.min()! - margin))
        guard lo < hi else {
            throw LawError(String(format: "--flops %.3g: no split of this budget keeps params within 10^%.1f…10^%.1f and tokens within 10^%.1f…10^%.1f (the training models' ranges ± %.0f decade); the law cannot say", flops, logP.min()! - margin, logP.max()! + margin, logT.min()! - margin, logT.max()! + margin, margin))
        }
        func value(_ p: Double) -> Double { objective(law.predict(raw: [p, budget - p], family: family).mean) }
        let steps = 2000
        var best = 0, bestValue = -Double.infinity
        for i in 0...steps {
            let v = value(lo + (hi - lo) * Double(i) / Double(steps))
            if v > bestValue { best = i; bestValue = v }
        }
        let h = (hi - lo) / Double(steps)
        var a = max(lo, lo + h * Double(best - 1)), b = min(hi, lo + h * Double(best + 1))
        let r = (5.0.squareRoot() - 1) / 2
        var c = b - r * (b - a), d = a + r * (b - a)
        var fc = value(c), fd = value(d)
        for _ in 0..<80 {
            if fc > fd { b = d; d = c; fd = fc; c = b - r * (b - a); fc = value(c) }
            else { a = c; c = d; fc = fd; d = a + r * (b - a); fd = value(d) }
        }
        var p = (a + b) / 2, v = value(p)
        let edge = lo + h * Double(best)
        if value(edge) >= v { p = edge; v = value(edge) }
        return ComputeOptimum(target: target, params: pow(10, p), tokens: pow(10, budget - p), value: v,
                              interior: best > 0 && best < steps)
    }
}
