import Foundation
import IRT

/// The baseline for forecasts across benchmarks: a hidden benchmark's score
/// as a linear regression on the scores of the benchmarks the model did
/// take, fitted by least squares on the training models that have all of
/// them. What a user without IRT would do, and what the law's ability
/// update must beat.
///
/// One regression per (hidden benchmark, set of visible benchmarks), fitted
/// on first use; a tiny ridge (1e-6 · n) keeps nearly collinear scores
/// solvable. Intervals are normal prediction intervals,
/// ± z·s·√(1 + xᵀ(XᵀX)⁻¹x), clamped to [0, 1].
final class ScoreRegression {
    private let scores: [Double]
    private let benchmarks: Int
    private var cache: [[Int]: (coefficients: [Double], inverse: [Double], sd: Double)?] = [:]

    /// - Parameter scores: training scores [models × benchmarks], NaN where missing.
    init(scores: [Double], benchmarks: Int) {
        self.scores = scores; self.benchmarks = benchmarks
    }

    /// The forecast of benchmark `target` from `scores` [benchmarks] (NaN:
    /// not visible); nil when too few training models have them all.
    func predict(benchmark target: Int, scores visible: [Double], level: Double) -> (predicted: Double, lower: Double, upper: Double)? {
        let inputs = (0..<benchmarks).filter { $0 != target && visible[$0].isFinite }
        let key = [target] + inputs
        if cache[key] == nil { cache[key] = fit(target: target, inputs: inputs) }
        guard let model = cache[key] ?? nil else { return nil }
        let x = [1.0] + inputs.map { visible[$0] }
        let mean = zip(x, model.coefficients).reduce(0) { $0 + $1.0 * $1.1 }
        let leverage = DenseAlgebra.quadraticForm(x, model.inverse, x)
        let half = normalQuantile(0.5 + level / 2) * model.sd * (1 + max(leverage, 0)).squareRoot()
        return (min(max(mean, 0), 1), max(mean - half, 0), min(mean + half, 1))
    }

    private func fit(target: Int, inputs: [Int]) -> (coefficients: [Double], inverse: [Double], sd: Double)? {
        let n = scores.count / benchmarks, p = inputs.count + 1
        let rows = (0..<n).filter { m in scores[m * benchmarks + target].isFinite && inputs.allSatisfy { scores[m * benchmarks + $0].isFinite } }
        guard rows.count > p + 1 else { return nil }
        var xtx = [Double](repeating: 0, count: p * p), xty = [Double](repeating: 0, count: p)
        for m in rows {
            let x = [1.0] + inputs.map { scores[m * benchmarks + $0] }
            let y = scores[m * benchmarks + target]
            for r in 0..<p { xty[r] += x[r] * y; for c in 0..<p { xtx[r * p + c] += x[r] * x[c] } }
        }
        for r in 1..<p { xtx[r * p + r] += 1e-6 * Double(rows.count) }
        guard let l = DenseAlgebra.cholesky(xtx, p) else { return nil }
        let beta = DenseAlgebra.solve(cholesky: l, p, xty)
        var rss = 0.0
        for m in rows {
            let x = [1.0] + inputs.map { scores[m * benchmarks + $0] }
            let e = scores[m * benchmarks + target] - zip(x, beta).reduce(0) { $0 + $1.0 * $1.1 }
            rss += e * e
        }
        return (beta, DenseAlgebra.inverse(cholesky: l, p), (rss / Double(rows.count - p)).squareRoot())
    }
}
