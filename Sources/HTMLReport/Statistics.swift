import Foundation

/// The small statistics the report shows.
public enum Statistics {
    /// Ordinary least squares y = intercept + slope · x over the finite
    /// pairs; nil with fewer than two distinct x values.
    public static func leastSquares(x: [Double], y: [Double]) -> (intercept: Double, slope: Double, r2: Double)? {
        let pairs = zip(x, y).filter { $0.0.isFinite && $0.1.isFinite }
        guard pairs.count >= 2 else { return nil }
        let n = Double(pairs.count)
        let mx = pairs.reduce(0) { $0 + $1.0 } / n, my = pairs.reduce(0) { $0 + $1.1 } / n
        var sxx = 0.0, sxy = 0.0, syy = 0.0
        for (a, b) in pairs { sxx += (a - mx) * (a - mx); sxy += (a - mx) * (b - my); syy += (b - my) * (b - my) }
        guard sxx > 0 else { return nil }
        let slope = sxy / sxx
        return (my - slope * mx, slope, syy > 0 ? sxy * sxy / (sxx * syy) : 1)
    }

    /// The q-quantile (0...1) of the finite values, linear interpolation; NaN when none.
    public static func quantile(_ values: [Double], _ q: Double) -> Double {
        let v = values.filter(\.isFinite).sorted()
        guard !v.isEmpty else { return .nan }
        let h = Double(v.count - 1) * min(max(q, 0), 1)
        let i = Int(h.rounded(.down)), f = h - Double(i)
        return i + 1 < v.count ? v[i] + f * (v[i + 1] - v[i]) : v[i]
    }

    public static func mean(_ values: [Double]) -> Double {
        let v = values.filter(\.isFinite)
        return v.isEmpty ? .nan : v.reduce(0, +) / Double(v.count)
    }

    /// Accuracy of interval forecasts against observed values (finite pairs only).
    public struct Accuracy: Equatable {
        public var count: Int
        public var mae: Double
        public var rmse: Double
        /// Share of observed values inside [lower, upper].
        public var coverage: Double
        /// Mean upper − lower.
        public var width: Double
    }

    public static func accuracy(predicted: [Double], lower: [Double], upper: [Double], observed: [Double]) -> Accuracy {
        var n = 0, abs = 0.0, sq = 0.0, inside = 0, width = 0.0
        for i in observed.indices where observed[i].isFinite && predicted[i].isFinite {
            let e = predicted[i] - observed[i]
            n += 1; abs += Swift.abs(e); sq += e * e
            if observed[i] >= lower[i] && observed[i] <= upper[i] { inside += 1 }
            width += upper[i] - lower[i]
        }
        guard n > 0 else { return Accuracy(count: 0, mae: .nan, rmse: .nan, coverage: .nan, width: .nan) }
        let d = Double(n)
        return Accuracy(count: n, mae: abs / d, rmse: (sq / d).squareRoot(), coverage: Double(inside) / d, width: width / d)
    }
}
