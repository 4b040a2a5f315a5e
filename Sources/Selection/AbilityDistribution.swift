import Foundation
import Store

/// The abilities over which item information is integrated, as quadrature
/// points and weights (summing to 1).
///
/// Why: an item is worth administering when it is informative for the
/// models one will actually evaluate. By default those are "models like the
/// calibrated ones", so the weights are a smoothed histogram (Gaussian
/// kernel, Silverman's bandwidth) of the calibrated abilities; a range of
/// interest (`--ability LO:HI`, e.g. only frontier models) gives uniform
/// weights on it; a CSV of abilities (`--population`) gives its own smoothed
/// histogram.
public struct AbilityDistribution: Sendable, Equatable {
    public let points: [Double]
    /// Non-negative, summing to 1.
    public let weights: [Double]

    public init(points: [Double], weights: [Double]) {
        precondition(points.count == weights.count && !points.isEmpty)
        let total = weights.reduce(0, +)
        self.points = points
        self.weights = total > 0 ? weights.map { $0 / total } : weights.map { _ in 1 / Double(weights.count) }
    }

    /// Uniform weights on `count` evenly spaced points of [lo, hi].
    public static func uniform(_ lo: Double, _ hi: Double, count: Int = 41) -> AbilityDistribution {
        precondition(lo <= hi && count >= 1)
        if count == 1 || lo == hi { return AbilityDistribution(points: [(lo + hi) / 2], weights: [1]) }
        let points = (0..<count).map { lo + (hi - lo) * Double($0) / Double(count - 1) }
        return AbilityDistribution(points: points, weights: [Double](repeating: 1, count: count))
    }

    /// A Gaussian-kernel density of `thetas` (optionally weighted) on
    /// `count` points spanning their range plus two bandwidths each side.
    public static func smoothed(_ thetas: [Double], weights w: [Double]? = nil, count: Int = 81) -> AbilityDistribution {
        var values: [Double] = [], mass: [Double] = []
        for (i, t) in thetas.enumerated() where t.isFinite {
            let m = w?[i] ?? 1
            if m > 0 && m.isFinite { values.append(t); mass.append(m) }
        }
        guard !values.isEmpty else { return .uniform(-3, 3, count: count) }
        let total = mass.reduce(0, +)
        let mean = zip(values, mass).reduce(0) { $0 + $1.0 * $1.1 } / total
        let variance = zip(values, mass).reduce(0) { $0 + ($1.0 - mean) * ($1.0 - mean) * $1.1 } / total
        let sd = variance.squareRoot()
        // Silverman's rule with the effective sample size of the weights.
        let effective = total * total / mass.reduce(0) { $0 + $1 * $1 }
        let bandwidth = max(1.06 * sd * pow(effective, -0.2), 0.05)
        let lo = values.min()! - 2 * bandwidth, hi = values.max()! + 2 * bandwidth
        let points = count == 1 ? [mean] : (0..<count).map { lo + (hi - lo) * Double($0) / Double(count - 1) }
        var density = [Double](repeating: 0, count: points.count)
        for (t, m) in zip(values, mass) {
            for (q, x) in points.enumerated() {
                let z = (x - t) / bandwidth
                if abs(z) < 6 { density[q] += m * exp(-0.5 * z * z) }
            }
        }
        return AbilityDistribution(points: points, weights: density)
    }

    /// Parses `LO:HI` (the `--ability` option) into a uniform distribution.
    public static func parseRange(_ text: String) throws -> AbilityDistribution {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let lo = Double(parts[0]), let hi = Double(parts[1]), lo.isFinite, hi.isFinite, lo < hi else {
            throw SelectionError("--ability: expected LO:HI with LO < HI (e.g. -1:2.5), got '\(text)'")
        }
        return .uniform(lo, hi)
    }

    /// Reads abilities from a CSV with a `theta` column and an optional
    /// `weight` column (the abilities CSV twin of a fit works as is).
    public static func read(csv path: String) throws -> AbilityDistribution {
        let table = try CSVTable(path: path)
        let theta = try table.doubles("theta")
        let weight = table.hasColumn("weight") ? try table.doubles("weight") : nil
        if let w = weight, let bad = w.firstIndex(where: { !($0 >= 0 && $0.isFinite) }) {
            throw StoreError(file: path, field: "column weight, line \(table.lines[bad])", message: "expected a non-negative weight, found \(w[bad])")
        }
        guard theta.contains(where: { $0.isFinite }) else {
            throw StoreError(file: path, field: "column theta", message: "expected at least one finite ability")
        }
        return .smoothed(theta, weights: weight)
    }

    /// The weighted mean.
    public var mean: Double { zip(points, weights).reduce(0) { $0 + $1.0 * $1.1 } }

    /// The q-quantile (0 < q < 1) of the discrete distribution.
    public func quantile(_ q: Double) -> Double {
        var cumulative = 0.0
        for (x, w) in zip(points, weights) {
            cumulative += w
            if cumulative >= q { return x }
        }
        return points.last!
    }
}

extension AbilityDistribution {
    /// The expected standard error of a new model's ability from `items`,
    /// averaged over this distribution: what a subset buys, in the units a
    /// reader of `irsl select`'s table compares subsets by.
    public func expectedStandardError(of items: [Int], bank: ItemBank) -> Double {
        let tau = bank.prior.precision
        return zip(points, weights).reduce(0) { sum, pw in
            sum + pw.1 / (tau + items.reduce(0) { $0 + bank.information($1, pw.0) }).squareRoot()
        }
    }
}
