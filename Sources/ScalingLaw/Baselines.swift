import Foundation
import IRT

/// The two baselines a law must beat, fitted per benchmark on the training
/// models' benchmark scores (mean response over the benchmark's items):
///
/// - "FLOPs only": score = g_b + (1 − g_b) σ(w_b x + c_b), x the
///   standardised log10 FLOPs, g_b the benchmark's floor (mean item floor);
/// - "family + FLOPs": the same with one intercept c_{b,f} per family
///   (a family absent from training falls back to the FLOPs-only curve).
///
/// Both are least-squares fits on the response scale (Levenberg–Marquardt),
/// as the published baselines are. Family intercepts carry a weak ridge
/// (1e-3) toward the FLOPs-only intercept so that a family whose only
/// training model sits at the floor keeps a finite intercept. Their
/// intervals are normal: ± z·s_b, s_b the benchmark's residual standard
/// deviation (RSS over n − parameters), clamped to [0, 1].
public struct SigmoidBaselines: Sendable {
    public enum Kind: String, CaseIterable, Sendable {
        case flopsOnly = "FLOPs only"
        case familyFlops = "family + FLOPs"
    }

    struct Curve: Sendable {
        var floor: Double
        var slope: Double
        var intercept: Double
        var familySlope: Double
        var familyIntercepts: [String: Double]
        var sd: Double
        var familySD: Double
    }

    let center: Double
    let scale: Double
    let curves: [Curve?]

    /// - Parameters:
    ///   - scores: [models × benchmarks] training scores, NaN where missing.
    ///   - logFlops: log10 FLOPs of each training model.
    ///   - floors: floor of each benchmark.
    public init(scores: [Double], benchmarks: Int, logFlops: [Double], families: [String], floors: [Double]) {
        let m = logFlops.count
        let mean = logFlops.reduce(0, +) / Double(m)
        let sd = (logFlops.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(max(m - 1, 1))).squareRoot()
        let spread = sd > 0 ? sd : 1
        center = mean
        scale = spread
        let x = logFlops.map { ($0 - mean) / spread }
        var curves: [Curve?] = []
        for b in 0..<benchmarks {
            let rows = (0..<m).filter { scores[$0 * benchmarks + b].isFinite }
            guard rows.count >= 3 else { curves.append(nil); continue }
            let xs = rows.map { x[$0] }, ys = rows.map { scores[$0 * benchmarks + b] }, fs = rows.map { families[$0] }
            let g = floors[b]
            let shared = SigmoidBaselines.leastSquares(x: xs, y: ys, floor: g, groups: [Int](repeating: 0, count: rows.count),
                                                       groupCount: 1, start: nil, ridgeCenter: 0, ridge: 0)
            var names: [String] = [], index: [String: Int] = [:]
            let gi = fs.map { f -> Int in
                if let i = index[f] { return i }
                index[f] = names.count; names.append(f); return names.count - 1
            }
            let family = SigmoidBaselines.leastSquares(x: xs, y: ys, floor: g, groups: gi, groupCount: names.count,
                                                       start: shared.params, ridgeCenter: shared.params[1], ridge: 1e-3)
            var intercepts: [String: Double] = [:]
            for (i, n) in names.enumerated() { intercepts[n] = family.params[1 + i] }
            let sharedSD = (shared.rss / Double(max(rows.count - 2, 1))).squareRoot()
            let familySD = (family.rss / Double(max(rows.count - 1 - names.count, 1))).squareRoot()
            curves.append(Curve(floor: g, slope: shared.params[0], intercept: shared.params[1],
                                familySlope: family.params[0], familyIntercepts: intercepts, sd: sharedSD, familySD: familySD))
        }
        self.curves = curves
    }

    /// Forecast (predicted, lower, upper) of benchmark `b`, or nil when the
    /// benchmark had too few training scores.
    public func predict(_ kind: Kind, benchmark b: Int, logFlops: Double, family: String?, level: Double) -> (predicted: Double, lower: Double, upper: Double)? {
        guard let c = curves[b] else { return nil }
        let x = (logFlops - center) / scale
        let z = normalQuantile(0.5 + level / 2)
        var slope = c.slope, intercept = c.intercept, sd = c.sd
        if kind == .familyFlops, let f = family, let fi = c.familyIntercepts[f] {
            slope = c.familySlope; intercept = fi; sd = c.familySD
        }
        let mu = c.floor + (1 - c.floor) * sigmoid(slope * x + intercept)
        return (mu, max(mu - z * sd, 0), min(mu + z * sd, 1))
    }

    /// Levenberg–Marquardt for y ≈ g + (1 − g) σ(w x + c_group): params [w, c_0…c_{G−1}].
    static func leastSquares(x: [Double], y: [Double], floor g: Double, groups: [Int], groupCount: Int,
                             start: [Double]?, ridgeCenter: Double, ridge: Double) -> (params: [Double], rss: Double) {
        let q = 1 + groupCount, n = x.count
        var params: [Double]
        if let start {
            params = [start[0]] + [Double](repeating: start[1], count: groupCount)
        } else {
            // Start from a straight-line fit on the logit scale.
            let t = y.map { logit(min(max(($0 - g) / max(1 - g, 1e-6), 0.02), 0.98)) }
            let mx = x.reduce(0, +) / Double(n), mt = t.reduce(0, +) / Double(n)
            var sxy = 0.0, sxx = 0.0
            for i in 0..<n { sxy += (x[i] - mx) * (t[i] - mt); sxx += (x[i] - mx) * (x[i] - mx) }
            let w = sxx > 0 ? sxy / sxx : 0
            params = [w] + [Double](repeating: mt - w * mx, count: groupCount)
        }
        func rss(_ p: [Double]) -> Double {
            var s = 0.0
            for i in 0..<n { let r = y[i] - (g + (1 - g) * sigmoid(p[0] * x[i] + p[1 + groups[i]])); s += r * r }
            return s
        }
        func objective(_ p: [Double]) -> Double {
            var s = rss(p)
            for j in 0..<groupCount { s += ridge * (p[1 + j] - ridgeCenter) * (p[1 + j] - ridgeCenter) }
            return s
        }
        var lambda = 1e-3
        var current = objective(params)
        for _ in 0..<200 {
            var jtj = [Double](repeating: 0, count: q * q), jtr = [Double](repeating: 0, count: q)
            for i in 0..<n {
                let s = sigmoid(params[0] * x[i] + params[1 + groups[i]])
                let r = y[i] - (g + (1 - g) * s)
                let dmu = (1 - g) * s * (1 - s)
                let cols = [0, 1 + groups[i]], vals = [dmu * x[i], dmu]
                for a in 0..<2 {
                    jtr[cols[a]] += vals[a] * r
                    for b in 0..<2 { jtj[cols[a] * q + cols[b]] += vals[a] * vals[b] }
                }
            }
            for j in 0..<groupCount {
                jtj[(1 + j) * q + 1 + j] += ridge
                jtr[1 + j] -= ridge * (params[1 + j] - ridgeCenter)
            }
            var improved = false
            for _ in 0..<30 {
                var a = jtj
                for i in 0..<q { a[i * q + i] += lambda * (jtj[i * q + i] + 1e-9) }
                guard let step = SmallLinearAlgebra.solve(a, jtr) else { lambda *= 10; continue }
                let trial = zip(params, step).map { min(max($0 + $1, -40), 40) }
                let value = objective(trial)
                if value < current {
                    let relative = (current - value) / max(current, 1e-300)
                    params = trial; current = value; lambda = max(lambda / 10, 1e-12); improved = true
                    if relative < 1e-12 { return (params, rss(params)) }
                    break
                }
                lambda *= 10
            }
            if !improved { break }
        }
        return (params, rss(params))
    }
}
